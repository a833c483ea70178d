"""The example data set: the two stories relgraph was conceived from, and a network around them.

John Smith (``P-JOHN-SMITH``), 35, a marketing professional in Chicago who has worked for a tech
company (``C-LAKEVIEW-TECH``) for five years, bought a high-performance laptop at ABC Electronics
(``C-ABC-ELECTRONICS``), paid in full by credit card, with an extended warranty; he rated the
experience highly and referred friends and colleagues, some of whom bought too.

XYZ Manufacturing Inc. (``C-XYZ-MANUFACTURING``), a mid-sized maker of automotive components in
several US locations with a global customer base, buys steel sheets from ABC Steel Suppliers
(``C-ABC-STEEL``) on contract in large quantities; ABC Steel holds most of that supply, so its
disruption reaches XYZ's production and, tier by tier, XYZ's own customers.

Around them: hundreds of customers (people and businesses), dozens of suppliers in five tiers
and six regions with some single sources, referral cascades several levels deep, employment,
accounts with satisfaction, and interactions. Generated deterministically in code, written as
the CSV format, and loaded through the same path as any CSV folder.
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from loaders.csvformat import FILES, cell_text

__all__ = [
    "ABC_ELECTRONICS", "ABC_STEEL", "JOHN_SMITH", "LAPTOP", "LAKEVIEW_TECH", "STEEL_SHEET", "XYZ",
    "demo_rows", "referral_problems", "write_demo_folder",
]

JOHN_SMITH = "P-JOHN-SMITH"
LAKEVIEW_TECH = "C-LAKEVIEW-TECH"
ABC_ELECTRONICS = "C-ABC-ELECTRONICS"
XYZ = "C-XYZ-MANUFACTURING"
ABC_STEEL = "C-ABC-STEEL"
LAPTOP = "LAPTOP-PRO-X15"
STEEL_SHEET = "STEEL-SHEET-CR"

SEED = 20251114
TODAY = date(2025, 11, 14)

REGIONS = {  # region -> (country, cities)
    "Midwest": ("USA", ["Chicago", "Detroit", "Toledo", "Milwaukee", "Columbus"]),
    "Northeast": ("USA", ["Pittsburgh", "Boston", "New York", "Philadelphia"]),
    "South": ("USA", ["Atlanta", "Houston", "Greenville", "Nashville"]),
    "West": ("USA", ["San Jose", "Seattle", "Denver", "Phoenix"]),
    "Europe": ("Germany", ["Stuttgart", "Munich", "Duisburg", "Rotterdam"]),
    "Asia": ("China", ["Shenzhen", "Shanghai", "Busan", "Taipei"]),
}

FIRST = ["Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Sophia", "Lucas", "Mia", "Ethan", "Isabella", "Mason",
         "Amelia", "Logan", "Harper", "Elijah", "Evelyn", "Aiden", "Abigail", "Carter", "Emily", "Daniel", "Ella",
         "Henry", "Grace", "Jack", "Chloe", "Owen", "Zoe", "Samuel", "Nora", "David", "Lily", "Ryan", "Hannah",
         "Priya", "Wei", "Fatima", "Diego", "Aisha", "Kenji", "Sofia", "Mateo", "Layla", "Omar"]
LAST = ["Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez",
        "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez",
        "Thompson", "White", "Harris", "Clark", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
        "Scott", "Nguyen", "Hill", "Patel", "Kim", "Chen", "Novak", "Okafor"]
OCCUPATIONS = ["software engineer", "nurse", "teacher", "accountant", "sales manager", "designer", "data analyst",
               "mechanic", "lawyer", "student", "marketing professional", "pharmacist", "architect", "chef",
               "project manager", "electrician", "consultant", "photographer", "physician", "retail associate"]

# (id, name, industry, size, region, city)
RETAILERS = [
    (ABC_ELECTRONICS, "ABC Electronics", "consumer electronics retail", "large", "Midwest", "Chicago"),
    ("C-NORTHSIDE-APPLIANCES", "Northside Appliances", "consumer electronics retail", "small", "Midwest", "Chicago"),
    ("C-BAYVIEW-GADGETS", "Bayview Gadgets", "consumer electronics retail", "medium", "West", "San Jose"),
    ("C-LAKESHORE-AUTO", "Lakeshore Auto Dealers", "car dealership", "medium", "Midwest", "Chicago"),
    ("C-SUNBELT-MOTORS", "Sunbelt Motors Dealership", "car dealership", "medium", "South", "Atlanta"),
]
ASSEMBLERS = [  # tier 1: cars and laptops
    ("C-GREAT-LAKES-MOTORS", "Great Lakes Motors", "automotive OEM", "large", "Midwest", "Detroit"),
    ("C-DETROIT-MOTORS", "Detroit Motors Corp.", "automotive OEM", "large", "Midwest", "Detroit"),
    ("C-RHEIN-AUTOWERKE", "Rhein Autowerke AG", "automotive OEM", "large", "Europe", "Stuttgart"),
    ("C-NIMBUS-COMPUTERS", "Nimbus Computers", "computer hardware", "large", "West", "San Jose"),
    ("C-ORBIT-DEVICES", "Orbit Devices", "computer hardware", "medium", "Asia", "Taipei"),
]
COMPONENT_MAKERS = [  # tier 2
    (XYZ, "XYZ Manufacturing Inc.", "automotive components", "mid-sized", "Midwest", "Detroit"),
    ("C-MERIDIAN-AXLE", "Meridian Axle & Brake", "automotive components", "medium", "South", "Greenville"),
    ("C-KOHL-PRAZISION", "Kohl Präzision GmbH", "automotive components", "medium", "Europe", "Munich"),
    ("C-VOLTCELL", "VoltCell Batteries", "batteries", "large", "Asia", "Shenzhen"),
    ("C-CLEARVIEW-DISPLAYS", "ClearView Displays", "displays", "large", "Asia", "Busan"),
    ("C-SILICON-PEAK", "Silicon Peak Semiconductors", "semiconductors", "large", "West", "Phoenix"),
    ("C-EASTBAY-BOARDS", "EastBay Circuit Boards", "electronics components", "medium", "Asia", "Shenzhen"),
]
MATERIAL_MAKERS = [  # tier 3
    (ABC_STEEL, "ABC Steel Suppliers", "steel", "large", "Northeast", "Pittsburgh"),
    ("C-KEYSTONE-STEEL", "Keystone Steel Works", "steel", "medium", "Northeast", "Philadelphia"),
    ("C-RUHR-STAHL", "Ruhr Stahl AG", "steel", "large", "Europe", "Duisburg"),
    ("C-ALCORA-ALUMINIUM", "Alcora Aluminium", "aluminium", "large", "South", "Houston"),
    ("C-POLYMERA", "Polymera Plastics", "plastics", "medium", "South", "Houston"),
    ("C-LITHIA-CHEMICALS", "Lithia Chemicals", "battery materials", "medium", "Asia", "Shanghai"),
    ("C-PURE-WAFER", "PureWafer Silicon", "silicon wafers", "medium", "Asia", "Taipei"),
    ("C-GLASSWORKS", "Precision Glassworks", "specialty glass", "medium", "Asia", "Busan"),
]
RAW_SUPPLIERS = [  # tier 4
    ("C-IRONRANGE-MINING", "Iron Range Mining", "iron ore", "large", "Midwest", "Milwaukee"),
    ("C-PILBARA-ORE", "Pilbara Ore Exports", "iron ore", "large", "Asia", "Shanghai"),
    ("C-APPALACHIAN-COAL", "Appalachian Coking Coal", "coal", "medium", "South", "Nashville"),
    ("C-BAUXITE-TRADING", "Global Bauxite Trading", "bauxite", "medium", "Europe", "Rotterdam"),
    ("C-ANDES-LITHIUM", "Andes Lithium", "lithium", "medium", "West", "Denver"),
    ("C-QUARTZ-SANDS", "Quartz Sands Co.", "silica", "small", "South", "Greenville"),
    ("C-PETROCHEM-FEED", "PetroChem Feedstocks", "petrochemicals", "large", "South", "Houston"),
]
LAKEVIEW = (LAKEVIEW_TECH, "Lakeview Tech", "software", "medium", "Midwest", "Chicago")

# sku, name, category, unit price
PRODUCTS = [
    (LAPTOP, "High-Performance Laptop ProBook X15", "laptops", 1899.0),
    ("WARRANTY-EXT-3Y", "Extended warranty, 3 years", "services", 199.0),
    ("LAPTOP-AIR-13", "UltraLight Laptop Air 13", "laptops", 1099.0),
    ("PHONE-NOVA-8", "Nova 8 Smartphone", "phones", 799.0),
    ("TABLET-SLATE-11", "Slate 11 Tablet", "tablets", 549.0),
    ("HEADPHONES-QC", "Quiet Comfort Headphones", "audio", 299.0),
    ("MONITOR-27-4K", "27-inch 4K Monitor", "monitors", 429.0),
    ("CAR-SEDAN-LX", "Sedan LX", "cars", 32500.0),
    ("CAR-SUV-TREK", "Trek SUV", "cars", 41900.0),
    ("SERVICE-CAR-ANNUAL", "Annual car service plan", "services", 690.0),
    ("BRAKE-ASSY", "Brake assembly", "automotive components", 180.0),
    ("AXLE-FRONT", "Front axle module", "automotive components", 420.0),
    ("CHASSIS-BRACKET", "Stamped chassis bracket set", "automotive components", 95.0),
    ("BATTERY-PACK", "Laptop battery pack", "electronics components", 85.0),
    ("DISPLAY-15-OLED", "15-inch OLED panel", "electronics components", 210.0),
    ("CPU-X9", "X9 processor", "electronics components", 340.0),
    ("PCB-MAIN", "Main circuit board", "electronics components", 60.0),
    (STEEL_SHEET, "Cold-rolled steel sheet (ton)", "steel", 920.0),
    ("STEEL-COIL-HR", "Hot-rolled steel coil (ton)", "steel", 780.0),
    ("ALU-SHEET", "Aluminium sheet (ton)", "aluminium", 2600.0),
    ("POLYMER-PELLETS", "Engineering polymer pellets (ton)", "plastics", 1800.0),
    ("LITHIUM-CARBONATE", "Battery-grade lithium carbonate (ton)", "battery materials", 14500.0),
    ("SILICON-WAFER", "300 mm silicon wafer", "silicon", 120.0),
    ("COVER-GLASS", "Display cover glass", "glass", 14.0),
    ("IRON-ORE", "Iron ore (ton)", "raw materials", 110.0),
    ("COKING-COAL", "Coking coal (ton)", "raw materials", 240.0),
    ("BAUXITE", "Bauxite (ton)", "raw materials", 60.0),
    ("LITHIUM-BRINE", "Lithium brine concentrate (ton)", "raw materials", 3100.0),
    ("SILICA-SAND", "High-purity silica sand (ton)", "raw materials", 90.0),
    ("NAPHTHA", "Naphtha feedstock (ton)", "raw materials", 650.0),
]
PRICE = {sku: price for sku, _, _, price in PRODUCTS}
MAKES = {
    "C-GREAT-LAKES-MOTORS": ["CAR-SEDAN-LX"], "C-DETROIT-MOTORS": ["CAR-SUV-TREK"],
    "C-RHEIN-AUTOWERKE": ["CAR-SEDAN-LX"], "C-NIMBUS-COMPUTERS": [LAPTOP, "LAPTOP-AIR-13", "MONITOR-27-4K"],
    "C-ORBIT-DEVICES": ["PHONE-NOVA-8", "TABLET-SLATE-11", "HEADPHONES-QC"],
    XYZ: ["BRAKE-ASSY", "CHASSIS-BRACKET"], "C-MERIDIAN-AXLE": ["AXLE-FRONT", "BRAKE-ASSY"],
    "C-KOHL-PRAZISION": ["AXLE-FRONT", "CHASSIS-BRACKET"], "C-VOLTCELL": ["BATTERY-PACK"],
    "C-CLEARVIEW-DISPLAYS": ["DISPLAY-15-OLED"], "C-SILICON-PEAK": ["CPU-X9"], "C-EASTBAY-BOARDS": ["PCB-MAIN"],
    ABC_STEEL: [STEEL_SHEET, "STEEL-COIL-HR"], "C-KEYSTONE-STEEL": [STEEL_SHEET], "C-RUHR-STAHL": [STEEL_SHEET,
                                                                                                  "STEEL-COIL-HR"],
    "C-ALCORA-ALUMINIUM": ["ALU-SHEET"], "C-POLYMERA": ["POLYMER-PELLETS"], "C-LITHIA-CHEMICALS": ["LITHIUM-CARBONATE"],
    "C-PURE-WAFER": ["SILICON-WAFER"], "C-GLASSWORKS": ["COVER-GLASS"], "C-IRONRANGE-MINING": ["IRON-ORE"],
    "C-PILBARA-ORE": ["IRON-ORE"], "C-APPALACHIAN-COAL": ["COKING-COAL"], "C-BAUXITE-TRADING": ["BAUXITE"],
    "C-ANDES-LITHIUM": ["LITHIUM-BRINE"], "C-QUARTZ-SANDS": ["SILICA-SAND"], "C-PETROCHEM-FEED": ["NAPHTHA"],
}
COMPONENTS = [  # component, product, quantity
    ("BATTERY-PACK", LAPTOP, 1), ("DISPLAY-15-OLED", LAPTOP, 1), ("CPU-X9", LAPTOP, 1), ("PCB-MAIN", LAPTOP, 1),
    ("BATTERY-PACK", "LAPTOP-AIR-13", 1), ("CPU-X9", "LAPTOP-AIR-13", 1), ("COVER-GLASS", "DISPLAY-15-OLED", 1),
    ("SILICON-WAFER", "CPU-X9", 0.01), ("LITHIUM-CARBONATE", "BATTERY-PACK", 0.001),
    ("BRAKE-ASSY", "CAR-SEDAN-LX", 4), ("AXLE-FRONT", "CAR-SEDAN-LX", 1), ("CHASSIS-BRACKET", "CAR-SEDAN-LX", 2),
    ("BRAKE-ASSY", "CAR-SUV-TREK", 4), ("AXLE-FRONT", "CAR-SUV-TREK", 1), ("CHASSIS-BRACKET", "CAR-SUV-TREK", 2),
    (STEEL_SHEET, "BRAKE-ASSY", 0.01), (STEEL_SHEET, "CHASSIS-BRACKET", 0.02), ("STEEL-COIL-HR", "AXLE-FRONT", 0.05),
    ("IRON-ORE", STEEL_SHEET, 1.6), ("COKING-COAL", STEEL_SHEET, 0.8), ("IRON-ORE", "STEEL-COIL-HR", 1.6),
    ("BAUXITE", "ALU-SHEET", 4), ("LITHIUM-BRINE", "LITHIUM-CARBONATE", 2), ("SILICA-SAND", "SILICON-WAFER", 0.01),
    ("NAPHTHA", "POLYMER-PELLETS", 1.1),
]
# supplier, client, sku, share %, lead time days; ABC Steel holds 70% of XYZ's steel sheet
SUPPLIES = [
    (ABC_STEEL, XYZ, STEEL_SHEET, 70, 21), ("C-KEYSTONE-STEEL", XYZ, STEEL_SHEET, 30, 28),
    ("C-POLYMERA", XYZ, "POLYMER-PELLETS", 100, 14),
    (ABC_STEEL, "C-MERIDIAN-AXLE", "STEEL-COIL-HR", 55, 21),
    ("C-RUHR-STAHL", "C-MERIDIAN-AXLE", "STEEL-COIL-HR", 45, 45),
    ("C-RUHR-STAHL", "C-KOHL-PRAZISION", STEEL_SHEET, 80, 14), (ABC_STEEL, "C-KOHL-PRAZISION", STEEL_SHEET, 20, 40),
    ("C-ALCORA-ALUMINIUM", "C-KOHL-PRAZISION", "ALU-SHEET", 100, 30),
    (XYZ, "C-GREAT-LAKES-MOTORS", "BRAKE-ASSY", 60, 10),
    ("C-MERIDIAN-AXLE", "C-GREAT-LAKES-MOTORS", "BRAKE-ASSY", 40, 12),
    (XYZ, "C-GREAT-LAKES-MOTORS", "CHASSIS-BRACKET", 100, 10),
    ("C-MERIDIAN-AXLE", "C-GREAT-LAKES-MOTORS", "AXLE-FRONT", 100, 15),
    (XYZ, "C-DETROIT-MOTORS", "BRAKE-ASSY", 70, 10), ("C-KOHL-PRAZISION", "C-DETROIT-MOTORS", "BRAKE-ASSY", 30, 35),
    ("C-KOHL-PRAZISION", "C-DETROIT-MOTORS", "AXLE-FRONT", 50, 35),
    ("C-MERIDIAN-AXLE", "C-DETROIT-MOTORS", "AXLE-FRONT", 50, 15),
    (XYZ, "C-RHEIN-AUTOWERKE", "CHASSIS-BRACKET", 25, 30),
    ("C-KOHL-PRAZISION", "C-RHEIN-AUTOWERKE", "CHASSIS-BRACKET", 75, 7),
    ("C-KOHL-PRAZISION", "C-RHEIN-AUTOWERKE", "AXLE-FRONT", 100, 7),
    ("C-GREAT-LAKES-MOTORS", "C-LAKESHORE-AUTO", "CAR-SEDAN-LX", 100, 30),
    ("C-DETROIT-MOTORS", "C-LAKESHORE-AUTO", "CAR-SUV-TREK", 100, 30),
    ("C-GREAT-LAKES-MOTORS", "C-SUNBELT-MOTORS", "CAR-SEDAN-LX", 50, 30),
    ("C-RHEIN-AUTOWERKE", "C-SUNBELT-MOTORS", "CAR-SEDAN-LX", 50, 60),
    ("C-DETROIT-MOTORS", "C-SUNBELT-MOTORS", "CAR-SUV-TREK", 100, 30),
    ("C-VOLTCELL", "C-NIMBUS-COMPUTERS", "BATTERY-PACK", 100, 45),
    ("C-CLEARVIEW-DISPLAYS", "C-NIMBUS-COMPUTERS", "DISPLAY-15-OLED", 100, 40),
    ("C-SILICON-PEAK", "C-NIMBUS-COMPUTERS", "CPU-X9", 100, 60),
    ("C-EASTBAY-BOARDS", "C-NIMBUS-COMPUTERS", "PCB-MAIN", 65, 30),
    ("C-EASTBAY-BOARDS", "C-ORBIT-DEVICES", "PCB-MAIN", 100, 20),
    ("C-VOLTCELL", "C-ORBIT-DEVICES", "BATTERY-PACK", 60, 20),
    ("C-LITHIA-CHEMICALS", "C-VOLTCELL", "LITHIUM-CARBONATE", 100, 30),
    ("C-GLASSWORKS", "C-CLEARVIEW-DISPLAYS", "COVER-GLASS", 100, 20),
    ("C-PURE-WAFER", "C-SILICON-PEAK", "SILICON-WAFER", 100, 50),
    ("C-NIMBUS-COMPUTERS", ABC_ELECTRONICS, LAPTOP, 100, 14),
    ("C-NIMBUS-COMPUTERS", ABC_ELECTRONICS, "LAPTOP-AIR-13", 80, 14),
    ("C-ORBIT-DEVICES", ABC_ELECTRONICS, "LAPTOP-AIR-13", 20, 30),
    ("C-ORBIT-DEVICES", ABC_ELECTRONICS, "PHONE-NOVA-8", 100, 30),
    ("C-ORBIT-DEVICES", ABC_ELECTRONICS, "TABLET-SLATE-11", 100, 30),
    ("C-NIMBUS-COMPUTERS", "C-NORTHSIDE-APPLIANCES", "MONITOR-27-4K", 100, 14),
    ("C-ORBIT-DEVICES", "C-NORTHSIDE-APPLIANCES", "HEADPHONES-QC", 100, 30),
    ("C-NIMBUS-COMPUTERS", "C-BAYVIEW-GADGETS", LAPTOP, 70, 7),
    ("C-ORBIT-DEVICES", "C-BAYVIEW-GADGETS", LAPTOP, 30, 30),
    ("C-ORBIT-DEVICES", "C-BAYVIEW-GADGETS", "PHONE-NOVA-8", 100, 30),
    ("C-IRONRANGE-MINING", ABC_STEEL, "IRON-ORE", 60, 10), ("C-PILBARA-ORE", ABC_STEEL, "IRON-ORE", 40, 50),
    ("C-APPALACHIAN-COAL", ABC_STEEL, "COKING-COAL", 100, 12),
    ("C-IRONRANGE-MINING", "C-KEYSTONE-STEEL", "IRON-ORE", 100, 12),
    ("C-APPALACHIAN-COAL", "C-KEYSTONE-STEEL", "COKING-COAL", 100, 12),
    ("C-PILBARA-ORE", "C-RUHR-STAHL", "IRON-ORE", 100, 45),
    ("C-BAUXITE-TRADING", "C-ALCORA-ALUMINIUM", "BAUXITE", 100, 40),
    ("C-ANDES-LITHIUM", "C-LITHIA-CHEMICALS", "LITHIUM-BRINE", 100, 55),
    ("C-QUARTZ-SANDS", "C-PURE-WAFER", "SILICA-SAND", 100, 40),
    ("C-PETROCHEM-FEED", "C-POLYMERA", "NAPHTHA", 100, 10),
]
RETAIL_RANGE = {  # what a consumer buys where
    ABC_ELECTRONICS: [LAPTOP, "LAPTOP-AIR-13", "PHONE-NOVA-8", "TABLET-SLATE-11", "HEADPHONES-QC", "WARRANTY-EXT-3Y"],
    "C-NORTHSIDE-APPLIANCES": ["MONITOR-27-4K", "HEADPHONES-QC"],
    "C-BAYVIEW-GADGETS": [LAPTOP, "PHONE-NOVA-8", "HEADPHONES-QC"],
    "C-LAKESHORE-AUTO": ["CAR-SEDAN-LX", "CAR-SUV-TREK", "SERVICE-CAR-ANNUAL"],
    "C-SUNBELT-MOTORS": ["CAR-SEDAN-LX", "CAR-SUV-TREK", "SERVICE-CAR-ANNUAL"],
}
PAYMENTS = ["credit card", "credit card", "debit card", "PayPal", "financing", "cash"]
CHANNELS = ["in store", "online", "phone"]
SMALL_BUSINESSES = ["Harbor Dental Clinic", "Brightside Bakery", "Summit Legal LLP", "Prairie Design Studio",
                    "Oakwood Realty", "Copperline Coffee", "Riverbend Accounting", "Northwind Logistics",
                    "Greenleaf Landscaping", "Bluewater Marketing", "Ironclad Fitness", "Maple Street Pharmacy",
                    "Vantage Architects", "Pioneer Veterinary", "Keystone Insurance Agency", "Silverline Travel",
                    "Redwood Consulting", "Lighthouse Tutoring", "Crescent Florist", "Union Print Shop",
                    "Highland Physio", "Cedar Coworking", "Beacon Security", "Orchard Wine Bar",
                    "Atlas Moving Co.", "Quantum Labs", "Evergreen Schools Trust", "Metro Cab Co.",
                    "Sterling Hotels", "Horizon Clinics"]


def _person(rows: dict, pid: str, name: str, age: int, occupation: str, city: str, country: str = "USA") -> None:
    email = name.lower().replace(" ", ".").replace("'", "") + "@example.com"
    rows["people.csv"].append({"person_id": pid, "name": name, "age": age, "occupation": occupation,
                               "city": city, "country": country, "email": email})


def _company(rows: dict, spec: tuple) -> None:
    cid, name, industry, size, region, city = spec
    rows["companies.csv"].append({"company_id": cid, "name": name, "industry": industry, "size": size,
                                  "city": city, "country": REGIONS[region][0], "region": region})


def _order(rows: dict, oid: str, customer: str, seller: str, day: date, lines: list[tuple], payment: str,
           channel: str, warranty: int | None = None) -> None:
    """lines: (sku, quantity[, unit price]); the total is left empty, so the loader sums the lines."""
    rows["orders.csv"].append({"order_id": oid, "customer_id": customer, "seller_id": seller, "date": day,
                               "total": "", "currency": "USD", "channel": channel, "payment_method": payment})
    for sku, quantity, *price in lines:
        rows["order_lines.csv"].append({
            "order_id": oid, "sku": sku, "quantity": quantity, "unit_price": price[0] if price else PRICE[sku],
            "warranty_years": 3 if sku == "WARRANTY-EXT-3Y" else warranty,
        })


def _john_smith(rows: dict) -> None:
    _person(rows, JOHN_SMITH, "John Smith", 35, "marketing professional", "Chicago")
    rows["employment.csv"].append({"person_id": JOHN_SMITH, "company_id": LAKEVIEW_TECH,
                                   "role": "Marketing Manager", "since": TODAY.replace(year=TODAY.year - 5)})
    _order(rows, "O-JOHN-LAPTOP", JOHN_SMITH, ABC_ELECTRONICS, date(2025, 9, 14),
           [(LAPTOP, 1), ("WARRANTY-EXT-3Y", 1)], "credit card", "in store", warranty=3)
    rows["accounts.csv"].append({"customer_id": JOHN_SMITH, "company_id": ABC_ELECTRONICS, "since": date(2025, 9, 14),
                                 "satisfaction": 5, "status": "active", "account_manager": "Maria Lopez"})
    for n, (day, kind, channel, sentiment, note) in enumerate([
        (date(2025, 8, 30), "research", "online", "neutral", "Compared laptop brands and models online"),
        (date(2025, 9, 6), "store visit", "in store", "positive", "Compared prices and features in the store"),
        (date(2025, 9, 14), "purchase", "in store", "positive",
         "Sales staff helped him choose; paid in full by credit card; added the extended warranty"),
        (date(2025, 9, 28), "survey", "email", "positive",
         "Rated the experience highly; plans to return for future electronics needs"),
    ], start=1):
        rows["interactions.csv"].append({"interaction_id": f"I-JOHN-{n}", "customer_id": JOHN_SMITH,
                                         "company_id": ABC_ELECTRONICS, "date": day, "kind": kind,
                                         "channel": channel, "sentiment": sentiment, "note": note})


def _xyz_story(rows: dict) -> None:
    rows["accounts.csv"].append({"customer_id": XYZ, "company_id": ABC_STEEL, "since": date(2014, 3, 1),
                                 "satisfaction": 4, "status": "key account", "account_manager": "Robert Klein"})
    for n in range(1, 7):  # large contract orders of steel sheets
        _order(rows, f"O-XYZ-STEEL-{n:02d}", XYZ, ABC_STEEL, date(2025, 2 * n - 1, 10),
               [(STEEL_SHEET, 400 + 50 * n, 880.0)], "invoice (net 60)", "contract")
    for n, (day, kind, note) in enumerate([
        (date(2025, 1, 15), "contract renewal", "Renewed the annual steel sheet contract (CT-ABC-XYZ-2025)"),
        (date(2025, 6, 3), "quality audit", "Steel sheet quality audit at the Detroit plant: passed"),
        (date(2025, 10, 21), "escalation", "Delayed shipment raised a risk to the Toledo production line"),
    ], start=1):
        rows["interactions.csv"].append({"interaction_id": f"I-XYZ-{n}", "customer_id": XYZ, "company_id": ABC_STEEL,
                                         "date": day, "kind": kind, "channel": "meeting",
                                         "sentiment": "negative" if kind == "escalation" else "positive",
                                         "note": note})


def demo_rows() -> dict[str, list[dict]]:
    """Every file's rows, as the CSV format's columns (values not yet formatted as text)."""
    rng = random.Random(SEED)
    rows: dict[str, list[dict]] = defaultdict(list)
    suppliers = ASSEMBLERS + COMPONENT_MAKERS + MATERIAL_MAKERS + RAW_SUPPLIERS
    for spec in [LAKEVIEW, *RETAILERS, *suppliers]:
        _company(rows, spec)
    for sku, name, category, price in PRODUCTS:
        rows["products.csv"].append({"sku": sku, "name": name, "category": category, "unit_price": price,
                                     "currency": "USD"})
    for company, skus in MAKES.items():
        rows["makes.csv"] += [{"company_id": company, "sku": sku} for sku in skus]
    rows["components.csv"] += [{"component_sku": c, "product_sku": p, "quantity": q} for c, p, q in COMPONENTS]
    for n, (s, c, sku, share, lead) in enumerate(SUPPLIES, start=1):
        rows["supplies.csv"].append({
            "supplier_id": s, "client_id": c, "sku": sku, "share_pct": share, "lead_time_days": lead,
            "annual_volume": 24000 if (s, c) == (ABC_STEEL, XYZ) else rng.choice([500, 1200, 5000, 20000]),
            "contract_id": "CT-ABC-XYZ-2025" if (s, c) == (ABC_STEEL, XYZ) else f"CT-{n:04d}",
            "since": date(2014, 3, 1) if (s, c) == (ABC_STEEL, XYZ) else date(rng.randint(2012, 2024), 1, 1),
        })
    # B2B orders along the supply links: each client orders from each supplier twice a year
    order_no = 0
    for s, c, sku, share, _ in SUPPLIES:
        if (s, c) == (ABC_STEEL, XYZ):
            continue
        for half in (3, 9):
            order_no += 1
            quantity = max(1, round(share * rng.uniform(2, 8)))
            _order(rows, f"O-B2B-{order_no:04d}", c, s, date(2025, half, rng.randint(1, 28)),
                   [(sku, quantity, round(PRICE[sku] * 0.6, 2))], "invoice (net 30)", "contract")
    _john_smith(rows)
    _xyz_story(rows)
    _consumers(rows, rng)
    _small_businesses(rows, rng)
    return rows


def _consumers(rows: dict, rng: random.Random) -> None:
    """About 330 people: orders at the retailers, jobs, accounts, interactions and referral cascades."""
    employers = [LAKEVIEW_TECH] + [c[0] for c in RETAILERS + ASSEMBLERS + COMPONENT_MAKERS]
    people = []
    for n in range(1, 331):
        pid = f"P{n:04d}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        region = rng.choice(["Midwest", "Midwest", "Midwest", "South", "West", "Northeast"])
        _person(rows, pid, name, rng.randint(19, 74), rng.choice(OCCUPATIONS), rng.choice(REGIONS[region][1]))
        people.append(pid)
        if rng.random() < 0.6:
            employer = LAKEVIEW_TECH if n <= 12 else rng.choice(employers)  # John's colleagues first
            rows["employment.csv"].append({"person_id": pid, "company_id": employer,
                                           "role": rng.choice(["engineer", "analyst", "manager", "associate"]),
                                           "since": date(rng.randint(2010, 2025), rng.randint(1, 12), 1)})
    # Referral cascades: John refers colleagues and friends; each referred customer may refer on.
    # Time runs forwards along a cascade: a customer is referred, buys within days (that purchase
    # is the conversion), and only then refers others. A converted referral is followed by an
    # order on or after its date; the one that did not convert is not (see _check_referrals).
    converted: list[str] = [JOHN_SMITH]
    referred_by: dict[str, str] = {}
    bought: dict[str, date] = {JOHN_SMITH: date(2025, 9, 14)}  # the day of each referrer's conversion purchase
    referred_on: dict[str, date] = {}
    first_wave = people[:4] + people[20:22]  # two colleagues (P0001-P0004 work at Lakeview) and friends
    for pid in first_wave:
        referred_by[pid] = JOHN_SMITH
    for pid in people[4:-1]:  # the last one is John's referral that did not convert
        if pid in referred_by or rng.random() > 0.55:
            continue
        referrer = rng.choice(converted[-40:] + first_wave)
        referred_by[pid] = referrer
        converted.append(pid)
    for pid, referrer in referred_by.items():  # referrers come before whom they refer
        if pid not in converted:
            converted.append(pid)
        referred_on[pid] = min(bought[referrer] + timedelta(days=rng.randint(1, 4)), TODAY - timedelta(days=1))
        bought[pid] = min(referred_on[pid] + timedelta(days=rng.randint(0, 3)), TODAY)
        rows["referrals.csv"].append({"referrer_id": referrer, "referred_id": pid, "date": referred_on[pid],
                                      "channel": rng.choice(["word of mouth", "referral link", "social media"]),
                                      "converted": True})
    not_converted, not_converted_on = people[-1], date(2025, 10, 2)
    rows["referrals.csv"].append({"referrer_id": JOHN_SMITH, "referred_id": not_converted, "date": not_converted_on,
                                  "channel": "word of mouth", "converted": False})
    for n, pid in enumerate(people, start=1):
        if pid in referred_by:  # the purchase that converted them, and for some an earlier one
            visits = [bought[pid]] + ([_day_before(rng, referred_on[pid])] if rng.random() < 0.3 else [])
        elif pid == not_converted:  # bought before John's referral, never after it
            visits = [_day_before(rng, not_converted_on) for _ in range(rng.choice([1, 2]))]
        else:
            visits = [date(2025, rng.randint(1, 11), rng.randint(1, 28)) for _ in range(rng.choice([1, 1, 2, 3]))]
        for k, day in enumerate(visits):
            seller = ABC_ELECTRONICS if pid in referred_by and k == 0 else rng.choice(list(RETAIL_RANGE))
            skus = rng.sample(RETAIL_RANGE[seller], k=rng.choice([1, 1, 2]))
            warranty = rng.choice([1, 1, 2, 3])
            if "WARRANTY-EXT-3Y" in skus:
                warranty = 3
            _order(rows, f"O-{pid}-{k + 1}", pid, seller, day,
                   [(sku, 1) for sku in skus], rng.choice(PAYMENTS), rng.choice(CHANNELS), warranty=warranty)
            if k == 0:
                rows["accounts.csv"].append({
                    "customer_id": pid, "company_id": seller, "since": min(day, date(2025, 1, 1)),
                    "satisfaction": rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 8, 7])[0],
                    "status": rng.choice(["active", "active", "active", "dormant"]),
                    "account_manager": rng.choice(["Maria Lopez", "Ken Adams", "Lena Fischer"]),
                })
        if n % 3 == 0:
            seller = rng.choice(list(RETAIL_RANGE))
            rows["interactions.csv"].append({
                "interaction_id": f"I-{pid}", "customer_id": pid, "company_id": seller,
                "date": date(2025, rng.randint(1, 11), rng.randint(1, 28)),
                "kind": rng.choice(["support call", "store visit", "complaint", "survey", "newsletter signup"]),
                "channel": rng.choice(["phone", "in store", "email", "chat"]),
                "sentiment": rng.choice(["positive", "positive", "neutral", "negative"]), "note": "",
            })


def _day_before(rng: random.Random, day: date) -> date:
    """A day of 2025 before ``day`` (a purchase that came before a referral)."""
    return date(2025, 1, 1) + timedelta(days=rng.randint(0, (day - date(2025, 1, 1)).days - 1))


def _small_businesses(rows: dict, rng: random.Random) -> None:
    """Thirty business customers buying equipment and fleet cars; ten referred one after another.

    The chain runs a fortnight a step from March 2025; each business referred bought within days
    of its referral, except the sixth, referred by the fifth, which had bought before and did not
    convert.
    """
    ids = [f"C-BIZ-{n:03d}" for n in range(1, len(SMALL_BUSINESSES) + 1)]
    referrals = {b: (a, date(2025, 3, 1) + timedelta(days=14 * k), a != ids[4])
                 for k, (a, b) in enumerate(zip(ids[:10], ids[1:11], strict=True))}
    for n, (cid, name) in enumerate(zip(ids, SMALL_BUSINESSES, strict=True), start=1):
        region = rng.choice(["Midwest", "Midwest", "South", "West", "Northeast"])
        _company(rows, (cid, name, "services", "small", region, rng.choice(REGIONS[region][1])))
        seller = ABC_ELECTRONICS if n % 3 else rng.choice(["C-LAKESHORE-AUTO", "C-SUNBELT-MOTORS"])
        sku = rng.choice([LAPTOP, "LAPTOP-AIR-13", "MONITOR-27-4K"] if seller == ABC_ELECTRONICS else
                         ["CAR-SEDAN-LX", "CAR-SUV-TREK"])
        day = date(2025, rng.randint(1, 11), rng.randint(1, 28))
        if cid in referrals:
            _, referred_on, converted = referrals[cid]
            day = referred_on + timedelta(days=rng.randint(2, 10)) if converted else _day_before(rng, referred_on)
        _order(rows, f"O-{cid}", cid, seller, day,
               [(sku, rng.randint(2, 12), round(PRICE[sku] * 0.92, 2))], "invoice (net 30)", "account",
               warranty=rng.choice([1, 2, 3]))
        rows["accounts.csv"].append({"customer_id": cid, "company_id": seller, "since": date(2024, 6, 1),
                                     "satisfaction": rng.randint(2, 5), "status": "active",
                                     "account_manager": "Ken Adams"})
    for b, (a, referred_on, converted) in referrals.items():
        rows["referrals.csv"].append({"referrer_id": a, "referred_id": b, "date": referred_on,
                                      "channel": "partner network", "converted": converted})


def referral_problems(rows: dict[str, list[dict]]) -> list[str]:
    """The referrals of ``rows`` that do not hold up: converted without an order on or after the
    referral date, or not converted with one. The demo has none (its tests check)."""
    days: dict[str, list[date]] = defaultdict(list)
    for order in rows["orders.csv"]:
        days[order["customer_id"]].append(order["date"])
    problems = []
    for referral in rows["referrals.csv"]:
        after = [d for d in days[referral["referred_id"]] if d >= referral["date"]]
        if bool(after) != bool(referral["converted"]):
            problems.append(f"{referral['referrer_id']} -> {referral['referred_id']} on {referral['date']}: "
                            f"converted={referral['converted']}, {len(after)} order(s) on or after")
    return problems


def write_demo_folder(folder: Path) -> Path:
    """Write the demo data set as a CSV folder in the import format; return the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in demo_rows().items():
        columns = FILES[name].names
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=columns)
            writer.writeheader()
            for row in rows:
                writer.writerow({c: cell_text(row.get(c)) for c in columns})
    return folder

