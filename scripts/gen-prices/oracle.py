"""Writes test/fixtures/genai-prices/oracle.json: what genai-prices' own Python lookup answers for a
sample of model ids, so the TypeScript lookup can be checked against the reference implementation.

    python3 scripts/gen-prices/oracle.py genai_prices-0.2.3-py3-none-any.whl > test/fixtures/genai-prices/oracle.json

Needs pydantic (genai-prices' dependency); the wheel is imported in place (zipimport) and its package
__init__ is bypassed, so httpx2 (used only for auto-updates) is not needed. Regenerate it whenever
prices.json is regenerated from another version: the test checks the versions agree.
"""

import datetime
import json
import sys
import types
import zipfile

wheel = sys.argv[1]
sys.path.insert(0, wheel)
package = types.ModuleType('genai_prices')
package.__path__ = [wheel + '/genai_prices']
sys.modules['genai_prices'] = package

from genai_prices.data import providers  # noqa: E402
from genai_prices.data_snapshot import DataSnapshot  # noqa: E402
from genai_prices.types import ClauseAnd, ClauseContains, ClauseEquals, ClauseOr, ClauseStartsWith, TieredPrices  # noqa: E402

AT = datetime.datetime(2026, 11, 20, 12, 0, tzinfo=datetime.UTC)
KEYS = {
    'input_mtok': 'input',
    'output_mtok': 'output',
    'cache_read_mtok': 'cache_read',
    'cache_write_mtok': 'cache_write',
    'output_reasoning_mtok': 'reasoning',
}
# Ids the TypeScript tests also name; the rest is every 23rd id the rules spell out.
ALWAYS = [
    ('openai', 'gpt-4o'), (None, 'gpt-4o-2024-08-06'), (None, 'gpt-4o-2024-05-13'), ('openai', 'gpt-4o-mini'),
    (None, 'claude-3-5-sonnet-20241022'), (None, 'o3-mini'), ('mistral', 'mistral-large-2411'),
    ('aws', 'anthropic.claude-3-5-sonnet-20241022-v2:0'), ('aws', 'us.anthropic.claude-3-5-sonnet-20241022-v2:0'),
    (None, 'claude-sonnet-4-5-20250929'), ('google', 'gemini-1.5-pro'), ('azure', 'gpt-4o'),
    ('google', 'claude-3-5-sonnet-v2@20241022'), ('deepseek', 'deepseek-chat'), (None, 'gpt-4o-20240806'),
]


def literals(clause):
    if isinstance(clause, ClauseOr):
        for c in clause.or_:
            yield from literals(c)
    elif isinstance(clause, ClauseAnd):
        for c in clause.and_:
            yield from literals(c)
    elif isinstance(clause, ClauseEquals):
        yield clause.equals
    elif isinstance(clause, ClauseStartsWith):
        yield clause.starts_with
        yield clause.starts_with + '-2025-01-01'
    elif isinstance(clause, ClauseContains):
        yield 'x-' + clause.contains + '-v1:0'


def rate(value):
    if isinstance(value, TieredPrices):
        return {'base': float(value.base), 'tiers': [{'start': t.start, 'price': float(t.price)} for t in value.tiers]}
    return float(value)


queries = sorted({(p.id, ref) for p in providers for m in p.models for ref in literals(m.match)}, key=lambda q: (q[0], q[1]))
sample = ALWAYS + [q for i, q in enumerate(queries) if i % 23 == 0] + [(None, ref) for i, (_, ref) in enumerate(queries) if i % 23 == 11]
snapshot = DataSnapshot(providers=providers, from_auto_update=False)
rows = []
seen = set()
for provider, ref in sample:
    if (provider, ref) in seen:
        continue
    seen.add((provider, ref))
    try:
        found_provider, model = snapshot.find_provider_model(ref, None, provider, None)
    except LookupError:
        rows.append([provider, ref, None])
        continue
    prices = {KEYS[k]: rate(v) for k, v in model.get_prices(AT).__dict__.items() if v is not None and k in KEYS}
    rows.append([provider, ref, {'entry': model.id, 'prices': prices}])

version = next(n for n in zipfile.ZipFile(wheel).namelist() if n.endswith('.dist-info/METADATA')).split('-')[1].split('.dist')[0]
# One row per line, so a regeneration diffs readably.
head = json.dumps({'version': version, 'at': AT.isoformat()})[:-1]
body = ',\n'.join('  ' + json.dumps(r, separators=(',', ':')) for r in rows)
sys.stdout.write(f'{head}, "rows": [\n{body}\n]}}\n')
