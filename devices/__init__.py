"""Scanners and printers behind small protocols, knowing nothing of Textual or the database.

Scan sources are plain threads that hand events over by callback; printers are
python-escpos objects built from the seat's settings; the print queue worker
takes its database access as injected callables. Only ``app.domain`` is imported.

* ``events``         ScanEvent / UnreadableScan and ``validate_scan``
* ``source``         ScanSource base: ``start(on_scan, on_status)``, ``close()``, ``status``
* ``wedge``          WedgeDetector: keyboard-wedge scans from key events (pure)
* ``serial_scanner`` SerialScanner (pyserial), ``usb_hid``: UsbHidScanner (pyusb)
* ``config``         ``[scanner]`` / ``[printer]`` tables -> ScannerConfig / PrinterConfig
* ``printers``       ``connect(config)`` -> PrinterConnection; PrinterOffline / PaperOut
* ``render``         cards and slips as ESC/POS bytes
* ``print_queue``    PrintQueueWorker: prints queued jobs once, keeps failed ones queued
* ``seat``           builds a seat's scanner, wedge detector and print worker from config
* ``fake_usb``       an emulated pyusb bus (printer, HID scanner) for tests and demos
"""
