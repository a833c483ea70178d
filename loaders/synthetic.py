"""A realistic synthetic network of any size, streamed row by row so memory stays flat.

Customers are 90% people and 10% businesses, in six regions. Suppliers (one per hundred
customers, at least 30) sit in five tiers, from retailers (tier 0) to raw materials (tier 4);
each company sources every sku it needs from one to three makers, mostly in its own region, so
there are single sources and regional clusters. Customers buy from retailers of their region;
product prices are lognormal, so order totals are skewed. Referrals grow by preferential
attachment (a customer who referred more is likelier to refer again), giving heavy-tailed
cascades several levels deep.

Per-customer attributes are drawn in chunks from a generator seeded by (seed, chunk), so every
file's generator can redraw them independently and consistently without holding them all.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from loaders.csvformat import FILES, cell_text

__all__ = ["generate", "write_csv_folder"]

REGIONS = [("Midwest", "USA"), ("Northeast", "USA"), ("South", "USA"), ("West", "USA"),
           ("Europe", "Germany"), ("Asia", "China")]
TIER_SHARE = [0.15, 0.25, 0.25, 0.2, 0.15]  # retailers ... raw materials
CHUNK = 10_000
START = date(2023, 1, 1)
FIRST = ["Ava", "Ben", "Chloe", "Diego", "Emma", "Farid", "Grace", "Hugo", "Ines", "Jack", "Kenji", "Lena", "Mia",
         "Noah", "Olga", "Priya", "Quinn", "Ravi", "Sara", "Tom", "Uma", "Victor", "Wei", "Xena", "Yusuf", "Zoe"]
LAST = ["Smith", "Garcia", "Chen", "Müller", "Patel", "Okafor", "Novak", "Kim", "Rossi", "Silva", "Cohen", "Dubois",
        "Larsen", "Ivanova", "Nguyen", "Walker", "Haddad", "Tanaka", "Kowalski", "Brown"]
PAYMENTS = ["credit card", "debit card", "PayPal", "invoice", "financing", "cash"]


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, *stream])


class _Plan:
    """The fixed frame of a network: companies, tiers, products and who supplies what."""

    def __init__(self, customers: int, seed: int):
        self.customers = customers
        self.seed = seed
        rng = _rng(seed, 0)
        n_suppliers = max(30, customers // 100)
        self.tier = np.repeat(np.arange(5), np.maximum(2, (np.array(TIER_SHARE) * n_suppliers).astype(int)))
        self.region = rng.integers(0, len(REGIONS), self.tier.size)
        self.n_companies = self.tier.size
        # each non-retailer company makes one sku of its tier; retailers sell tier-1 skus
        self.skus_by_tier = [[f"SKU-T{t}-{i:05d}" for i in range(max(2, int((self.tier == t).sum()) // 2))]
                             for t in range(5)]
        self.price = {sku: float(np.round(rng.lognormal(3.5 + t * -0.3, 1.0), 2))
                      for t, skus in enumerate(self.skus_by_tier) for sku in skus}
        self.makes: dict[int, str] = {}
        for company in range(self.n_companies):
            t = int(self.tier[company])
            if t > 0:
                self.makes[company] = self.skus_by_tier[t][company % len(self.skus_by_tier[t])]
        makers: dict[str, list[int]] = {}
        for company, sku in self.makes.items():
            makers.setdefault(sku, []).append(company)
        self.supplies: list[tuple[int, int, str, float, float]] = []
        for client in range(self.n_companies):
            t = int(self.tier[client])
            if t == 4:
                continue
            needs = rng.choice(self.skus_by_tier[t + 1], size=min(len(self.skus_by_tier[t + 1]), 2), replace=False)
            for sku in needs:
                candidates = makers.get(str(sku), [])
                if not candidates:
                    continue
                local = [c for c in candidates if self.region[c] == self.region[client]]
                pool = local if local and rng.random() < 0.8 else candidates
                k = min(len(pool), int(rng.choice([1, 1, 2, 3])))
                chosen = rng.choice(pool, size=k, replace=False)
                shares = np.round(rng.dirichlet(np.ones(k)) * 100, 1)
                shares[-1] = round(100 - shares[:-1].sum(), 1)
                for supplier, share in zip(chosen, shares, strict=True):
                    if share > 0:
                        self.supplies.append((int(supplier), client, str(sku), float(share),
                                              float(rng.integers(5, 90))))
        self.retailers_by_region = [np.flatnonzero((self.tier == 0) & (self.region == r)) for r in range(len(REGIONS))]
        self.retailers = np.flatnonzero(self.tier == 0)
        self.customer_companies = max(1, customers // 10)

    def company_id(self, index: int) -> str:
        return f"CS{index:06d}"

    def customer_id(self, index: int) -> str:
        """Customers 0..N-1: the first tenth are businesses, the rest people."""
        if index < self.customer_companies:
            return f"CB{index:07d}"
        return f"P{index:08d}"

    def chunk(self, c: int) -> dict[str, np.ndarray]:
        """Per-customer attributes of customers [c*CHUNK, (c+1)*CHUNK), redrawn identically on demand."""
        lo, hi = c * CHUNK, min(self.customers, (c + 1) * CHUNK)
        rng = _rng(self.seed, 1, c)
        n = hi - lo
        region = rng.integers(0, len(REGIONS), n)
        home = np.empty(n, dtype=np.int64)
        for r in range(len(REGIONS)):
            mask = region == r
            pool = self.retailers_by_region[r] if self.retailers_by_region[r].size else self.retailers
            home[mask] = rng.choice(pool, size=int(mask.sum()))
        return {"index": np.arange(lo, hi), "region": region, "home": home,
                "orders": rng.choice([1, 1, 1, 2, 2, 3], size=n), "age": rng.integers(18, 80, n),
                "first": rng.integers(0, len(FIRST), n), "last": rng.integers(0, len(LAST), n),
                "satisfaction": rng.choice([1, 2, 3, 4, 5], size=n, p=[0.05, 0.1, 0.2, 0.35, 0.3]),
                "day": rng.integers(0, 1000, n)}

    def chunks(self) -> Iterator[dict[str, np.ndarray]]:
        for c in range((self.customers + CHUNK - 1) // CHUNK):
            yield self.chunk(c)


def _people(plan: _Plan) -> Iterator[dict[str, Any]]:
    for ch in plan.chunks():
        for i, region, age, first, last in zip(ch["index"], ch["region"], ch["age"], ch["first"], ch["last"],
                                               strict=True):
            if i < plan.customer_companies:
                continue
            yield {"person_id": plan.customer_id(int(i)), "name": f"{FIRST[first]} {LAST[last]}", "age": int(age),
                   "occupation": None, "city": None, "country": REGIONS[region][1], "email": None}


def _companies(plan: _Plan) -> Iterator[dict[str, Any]]:
    industries = ["retail", "assembly", "components", "materials", "raw materials"]
    for c in range(plan.n_companies):
        region, country = REGIONS[plan.region[c]]
        yield {"company_id": plan.company_id(c), "name": f"Supplier {c} ({industries[plan.tier[c]]})",
               "industry": industries[plan.tier[c]], "size": None, "city": None, "country": country,
               "region": region}
    for ch in plan.chunks():
        for i, region in zip(ch["index"], ch["region"], strict=True):
            if i >= plan.customer_companies:
                break
            yield {"company_id": plan.customer_id(int(i)), "name": f"Business {i}", "industry": "services",
                   "size": "small", "city": None, "country": REGIONS[region][1], "region": REGIONS[region][0]}


def _products(plan: _Plan) -> Iterator[dict[str, Any]]:
    for t, skus in enumerate(plan.skus_by_tier):
        for sku in skus:
            yield {"sku": sku, "name": f"Product {sku} (tier {t})", "category": f"tier {t}",
                   "unit_price": plan.price[sku], "currency": "USD"}


def _orders(plan: _Plan) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    retail_skus = plan.skus_by_tier[1]
    for c, ch in enumerate(plan.chunks()):
        rng = _rng(plan.seed, 2, c)
        for i, home, n_orders, day in zip(ch["index"], ch["home"], ch["orders"], ch["day"], strict=True):
            customer = plan.customer_id(int(i))
            for k in range(int(n_orders)):
                picks = rng.choice(len(retail_skus), size=int(rng.choice([1, 1, 2, 3])), replace=False)
                business = i < plan.customer_companies  # businesses buy in bulk: a heavy tail of large orders
                lines = [{"order_id": f"O{i:08d}-{k}", "sku": retail_skus[p],
                          "quantity": float(max(1, round(rng.lognormal(2.5, 1.0)))) if business
                          else float(rng.integers(1, 4)),
                          "unit_price": plan.price[retail_skus[p]], "warranty_years": float(rng.choice([1, 2, 3]))}
                         for p in picks]
                total = round(sum(line["quantity"] * line["unit_price"] for line in lines), 2)
                order = {"order_id": f"O{i:08d}-{k}", "customer_id": customer, "seller_id": plan.company_id(int(home)),
                         "date": START + timedelta(days=int(day) + 30 * k), "total": total, "currency": "USD",
                         "channel": "online" if rng.random() < 0.6 else "in store",
                         "payment_method": PAYMENTS[int(rng.integers(0, len(PAYMENTS)))]}
                yield order, lines


def _referrals(plan: _Plan) -> Iterator[dict[str, Any]]:
    """Preferential attachment: a referrer is drawn from a pool holding each customer once per referral + 1."""
    rng = _rng(plan.seed, 3)
    pool = np.empty(2 * plan.customers + 1, dtype=np.int64)
    size = 0
    for i in range(plan.customers):
        if size and rng.random() < 0.35:
            referrer = int(pool[rng.integers(0, size)])
            converted = bool(rng.random() < 0.7)
            yield {"referrer_id": plan.customer_id(referrer), "referred_id": plan.customer_id(i),
                   "date": START + timedelta(days=int(rng.integers(0, 1000))), "channel": "word of mouth",
                   "converted": converted}
            if converted:
                pool[size] = referrer
                size += 1
        pool[size] = i
        size += 1


def _employment(plan: _Plan) -> Iterator[dict[str, Any]]:
    for c, ch in enumerate(plan.chunks()):
        rng = _rng(plan.seed, 4, c)
        employers = rng.integers(0, plan.n_companies, ch["index"].size)
        works = rng.random(ch["index"].size) < 0.5
        for i, employer, yes in zip(ch["index"], employers, works, strict=True):
            if yes and i >= plan.customer_companies:
                yield {"person_id": plan.customer_id(int(i)), "company_id": plan.company_id(int(employer)),
                       "role": "employee", "since": None}


def _accounts(plan: _Plan) -> Iterator[dict[str, Any]]:
    for ch in plan.chunks():
        for i, home, satisfaction in zip(ch["index"], ch["home"], ch["satisfaction"], strict=True):
            yield {"customer_id": plan.customer_id(int(i)), "company_id": plan.company_id(int(home)), "since": None,
                   "satisfaction": int(satisfaction), "status": "active", "account_manager": None}


def _interactions(plan: _Plan) -> Iterator[dict[str, Any]]:
    for c, ch in enumerate(plan.chunks()):
        rng = _rng(plan.seed, 5, c)
        for i, home, day in zip(ch["index"], ch["home"], ch["day"], strict=True):
            if rng.random() < 0.2:
                yield {"interaction_id": f"I{i:08d}", "customer_id": plan.customer_id(int(i)),
                       "company_id": plan.company_id(int(home)), "date": START + timedelta(days=int(day)),
                       "kind": "support call", "channel": "phone",
                       "sentiment": ["negative", "neutral", "positive"][int(rng.integers(0, 3))], "note": None}


def generate(customers: int, seed: int = 1) -> dict[str, Iterator[dict[str, Any]]]:
    """One generator of typed rows per CSV file (the format validation returns), in load order."""
    plan = _Plan(customers, seed)
    return {
        "people.csv": _people(plan),
        "companies.csv": _companies(plan),
        "products.csv": _products(plan),
        "orders.csv": (order for order, _ in _orders(plan)),
        "order_lines.csv": (line for _, lines in _orders(plan) for line in lines),
        "supplies.csv": ({"supplier_id": plan.company_id(s), "client_id": plan.company_id(c), "sku": sku,
                          "share_pct": share, "lead_time_days": lead, "annual_volume": None,
                          "contract_id": None, "since": None} for s, c, sku, share, lead in plan.supplies),
        "makes.csv": ({"company_id": plan.company_id(c), "sku": sku} for c, sku in plan.makes.items()),
        "components.csv": ({"component_sku": part, "product_sku": whole, "quantity": 1.0}
                           for t in range(4) for whole in plan.skus_by_tier[t][:50]
                           for part in plan.skus_by_tier[t + 1][:2]),
        "referrals.csv": _referrals(plan),
        "employment.csv": _employment(plan),
        "accounts.csv": _accounts(plan),
        "interactions.csv": _interactions(plan),
    }


def write_csv_folder(folder: Path, customers: int, seed: int = 1,
                     progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Write the network as a CSV folder of the import format; return rows written per file."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name, rows in generate(customers, seed).items():
        columns = FILES[name].names
        count = 0
        with open(folder / name, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow([cell_text(row[c]) for c in columns])
                count += 1
        written[name] = count
        if progress:
            progress(name, count)
    return written
