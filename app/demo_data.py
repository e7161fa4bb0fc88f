"""The demo shop's master data: branches, staff, suppliers, customers, the catalogue with
its kit, and what each branch keeps on the shelf. ``app.demo`` builds the shop from it."""

from __future__ import annotations

BRANCHES = [
    ("CITY", "City Centre", "12 Market Square"),
    ("PARK", "Parkside Mall", "Unit 4, Parkside Mall, 80 Ring Road"),
]

# login, name, role, home branch, PIN (printed in the README: demo only)
EMPLOYEES = [
    ("mara", "Mara Lindqvist", "manager", "CITY", "1111"),
    ("cody", "Cody Brennan", "cashier", "CITY", "2222"),
    ("ines", "Ines Duarte", "inventory", "CITY", "3333"),
    ("theo", "Theo Nakamura", "technician", "CITY", "4444"),
    ("paul", "Paul Okafor", "manager", "PARK", "5555"),
    ("pia", "Pia Jensen", "cashier", "PARK", "6666"),
    ("ivan", "Ivan Petrov", "inventory", "PARK", "7777"),
]

SUPPLIERS = [
    ("Nordic Mobile Supply", "orders@nordicmobile.example, +46 8 555 0100"),
    ("ToolPro Wholesale", "trade@toolpro.example, +44 20 7946 0200"),
    ("Horology Imports", "sales@horology.example"),
    ("CaseWorks", "b2b@caseworks.example"),
]

CUSTOMERS = [
    ("Anna Berg", "+46701234501"),
    ("Ben Carter", "+447700900102"),
    ("Chloe Martin", "+33612345603"),
    ("Daniel Novak", "+420601234504"),
    ("Elena Rossi", "+393471234505"),
    ("Farid Haddad", "+971501234506"),
    ("Grace Liu", "+85291234507"),
    ("Hugo Schmidt", "+491701234508"),
    ("Ingrid Olsen", "+4791234509"),
    ("Jonas Weber", "+491751234510"),
    ("Kira Tanaka", "+819012345611"),
    ("Liam O'Brien", "+353851234512"),
    ("Maya Patel", "+447700900113"),
    ("Nils Eriksson", "+46731234514"),
    ("Olga Ivanova", "+37061234515"),
    ("Pedro Alves", "+351912345616"),
    ("Quinn Murphy", "+353861234517"),
    ("Rosa Fernandez", "+34612345618"),
    ("Samir Khan", "+923001234519"),
    ("Tara Wilson", "+61412345620"),
    ("Umar Farouk", "+2348012345621"),
    ("Vera Kowalski", "+48601234522"),
    ("Will Turner", "+447700900123"),
    ("Yusuf Demir", "+905321234524"),
    ("Zoe Laurent", "+32471234525"),
]

# name, mode, warranty months, print mode, check, mask
PRODUCT_TYPES = [
    ("Phones", "strict", 24, "auto", "imei", "last4"),
    ("Power tools", "warranty", 36, "offer", "none", "none"),
    ("Watches", "warranty_no_serial", 24, "auto", "none", "none"),
    ("Accessories", "none", 0, "never", "none", "none"),
]

# sku, name, type, price, cost, GTIN body (12 digits), supplier, serial prefix (TAC for phones)
PRODUCTS = [
    ("PH-AUR15", "Aurora 15 128 GB", "Phones", "699.00", "512.00", "471234500101", 0, "35209011"),
    (
        "PH-AUR15P",
        "Aurora 15 Pro 256 GB",
        "Phones",
        "999.00",
        "748.00",
        "471234500102",
        0,
        "35209012",
    ),
    ("PH-NIM8", "Nimbus 8 64 GB", "Phones", "299.00", "201.00", "471234500103", 0, "86775304"),
    ("PT-DRL18", "Cordless drill 18V", "Power tools", "149.00", "96.00", "471234500201", 1, "TPD"),
    ("PT-IMP18", "Impact driver 18V", "Power tools", "179.00", "118.00", "471234500202", 1, "TPI"),
    (
        "PT-AGR125",
        "Angle grinder 125 mm",
        "Power tools",
        "89.00",
        "54.00",
        "471234500203",
        1,
        "TPG",
    ),
    ("WA-CLS", "Classic steel watch", "Watches", "189.00", "104.00", "471234500301", 2, ""),
    ("WA-SPT", "Sport watch", "Watches", "129.00", "71.00", "471234500302", 2, ""),
    ("AC-CASE", "Phone case, clear", "Accessories", "19.90", "4.10", "471234500401", 3, ""),
    ("AC-USBC", "USB-C cable 2 m", "Accessories", "14.90", "2.60", "471234500402", 3, ""),
    ("AC-CHG30", "Charger 30 W", "Accessories", "29.90", "9.80", "471234500403", 3, ""),
    ("AC-GLASS", "Screen protector glass", "Accessories", "12.90", "1.90", "471234500404", 3, ""),
    # the parts of the drill kit below: a battery with its own serial, a charger without
    ("PT-BAT18", "Battery 18V 4.0 Ah", "Power tools", "69.00", "38.00", "471234500204", 1, "TPB"),
    ("AC-CHG18", "Charger 18V", "Accessories", "39.00", "17.00", "471234500405", 1, ""),
]

# Kits, put together in the shop and never received as such:
# sku, name, type, price, GTIN body, components (sku, quantity)
KITS = [
    (
        "PT-KIT18",
        "Drill kit 18V: drill, battery, charger",
        "Power tools",
        "239.00",
        "471234500205",
        [("PT-DRL18", 1), ("PT-BAT18", 1), ("AC-CHG18", 1)],
    ),
]

# What a branch keeps on the shelf: sku -> (restock below, order up to)
SHELF = {
    "CITY": {
        "PH-AUR15": (4, 12), "PH-AUR15P": (2, 6), "PH-NIM8": (4, 10),
        "PT-DRL18": (2, 6), "PT-IMP18": (2, 4), "PT-AGR125": (2, 4),
        "WA-CLS": (3, 10), "WA-SPT": (3, 12),
        "AC-CASE": (20, 60), "AC-USBC": (20, 80), "AC-CHG30": (10, 40), "AC-GLASS": (25, 100),
        "PT-BAT18": (3, 8), "AC-CHG18": (2, 6),
    },
    "PARK": {
        "PH-AUR15": (3, 8), "PH-AUR15P": (1, 4), "PH-NIM8": (3, 6),
        "PT-DRL18": (1, 3), "PT-IMP18": (1, 2), "PT-AGR125": (1, 2),
        "WA-CLS": (2, 6), "WA-SPT": (2, 6),
        "AC-CASE": (10, 30), "AC-USBC": (10, 40), "AC-CHG30": (5, 20), "AC-GLASS": (15, 50),
        "PT-BAT18": (2, 5), "AC-CHG18": (2, 4),
    },
}  # fmt: skip
