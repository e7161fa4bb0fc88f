"""SerialDesk: a counter terminal for serial-tracked goods with warranties."""

__version__ = "0.1.0"
