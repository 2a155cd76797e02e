"""Gallery at scale: seed 10,000 generations and 50,000 comments, time pages and searches.

    .venv/bin/python bench/gallery.py                 # SQLite (a scratch file)
    DATABASE_URL=postgres://... .venv/bin/python bench/gallery.py   # a scratch test_ database

Prints the server time (the whole request through views and templates, median of runs)
and the query count of each gallery page and prompt search. The database is a throwaway
test database, created and destroyed here.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
os.environ.setdefault("STUDIO_DATA_DIR", tempfile.mkdtemp(prefix="gallery-bench-"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import (  # noqa: E402
    CaptureQueriesContext,
    setup_test_environment,
)
from django.utils import timezone  # noqa: E402

GENERATIONS = int(os.environ.get("BENCH_GENERATIONS", "10000"))
COMMENTS = int(os.environ.get("BENCH_COMMENTS", "50000"))
RUNS = 7

SUBJECTS = [
    "greenhouse",
    "lighthouse",
    "orchard",
    "harbour",
    "desert road",
    "night market",
    "glacier",
    "rooftop garden",
    "subway platform",
    "forest clearing",
    "koi pond",
    "neon alley",
    "wheat field",
    "cathedral",
    "coral reef",
    "mountain pass",
]
MOVES = [
    "slow dolly in",
    "crane up",
    "handheld follow",
    "orbit",
    "static wide",
    "rack focus",
    "whip pan",
    "drone fly-over",
    "push in",
    "tracking shot",
]
LIGHT = [
    "at sunrise",
    "at dusk",
    "under moonlight",
    "in fog",
    "after rain",
    "at golden hour",
    "in harsh noon light",
    "lit by lanterns",
    "during a storm",
    "in snowfall",
]


def seed() -> tuple[object, str]:
    from studio.accounts.users import create_user
    from studio.generations.models import Generation, Output
    from studio.review.models import Comment
    from studio.teams.create import create_team
    from studio.teams.models import Membership

    rng = random.Random(7)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    owner = create_user("owner@bench.local", "bench-password", name="Bench Owner")
    team = create_team("Bench", owner)
    people = [owner]
    for i in range(7):
        user = create_user(f"member{i}@bench.local", "bench-password", name=f"Member {i}")
        Membership.objects.create(team=team, user=user, role="editor")
        people.append(user)
    now = timezone.now()
    states = ["completed"] * 8 + ["failed", "queued", "processing"]
    gens = []
    for i in range(GENERATIONS):
        prompt = f"{rng.choice(SUBJECTS).capitalize()}, {rng.choice(MOVES)} {rng.choice(LIGHT)}"
        state = rng.choice(states)
        gens.append(
            Generation(
                id=uuid.uuid4(),
                team=team,
                author=rng.choice(people),
                prompt=prompt,
                kind=rng.choice(["video"] * 6 + ["video_edit", "video_reframe"]),
                resolution=rng.choice(["360p", "540p", "720p", "1080p"]),
                duration=rng.choice(["5s", "10s"]),
                hdr=rng.random() < 0.2,
                price=Decimal("0.30"),
                state=state,
                remote_id=uuid.uuid4() if state != "pending" else None,
                created_at=now - timedelta(minutes=i * 7 + rng.randint(0, 5)),
                approval=rng.choice(
                    ["pending"] * 5 + ["approved", "changes_requested", "rejected"]
                ),
                picked=rng.random() < 0.05,
                outputs_ready=state == "completed",
                duration_s=5.0,
            )
        )
    Generation.objects.bulk_create(gens, batch_size=1000)
    outputs = []
    for g in gens:
        if g.state == "completed":
            outputs.append(
                Output(
                    generation=g,
                    kind="poster",
                    file=f"outputs/b/{g.id}/poster.jpg",
                    width=640,
                    height=360,
                )
            )
            outputs.append(
                Output(
                    generation=g,
                    kind="thumbs",
                    file=f"outputs/b/{g.id}/thumbs.jpg",
                    width=1600,
                    height=90,
                    meta={"count": 10, "tile_width": 160, "tile_height": 90},
                )
            )
    Output.objects.bulk_create(outputs, batch_size=2000)
    counts: dict[uuid.UUID, int] = {}
    comments = []
    # Comments cluster on some takes, as reviews do.
    weights = [rng.paretovariate(1.2) for _ in gens]
    for target in rng.choices(gens, weights=weights, k=COMMENTS):
        counts[target.id] = counts.get(target.id, 0) + 1
        comments.append(
            Comment(
                generation=target,
                author=rng.choice(people),
                frame=rng.randint(0, 120),
                body="Looks good but the horizon tilts",
            )
        )
    Comment.objects.bulk_create(comments, batch_size=5000)
    by_count: dict[int, list[uuid.UUID]] = {}
    for gid, n in counts.items():
        by_count.setdefault(n, []).append(gid)
    for n, ids in by_count.items():
        for start in range(0, len(ids), 500):
            Generation.objects.filter(id__in=ids[start : start + 500]).update(comment_count=n)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return owner, "bench-password"


def measure(client: Client, url: str) -> tuple[float, int, int]:
    times = []
    queries = 0
    status = 0
    for i in range(RUNS):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        status = response.status_code
        if i == 0:
            queries = len(ctx.captured_queries)
    return statistics.median(times[1:]), queries, status


def explain_search(owner: object) -> None:
    """Which plan the prompt search gets (PostgreSQL: whether the GIN index is used)."""
    from studio.review import gallery
    from studio.teams.models import Membership

    team = Membership.objects.get(user=owner).team
    data = {"q": "lighthouse fog"}
    # The query the gallery runs for a search: its default sort is the best match.
    order = gallery.sort_of(data)
    qs = gallery.filtered(team, data).order_by(*gallery.ordering(order))[:25]
    plan = qs.explain()
    if connection.vendor == "postgresql":
        used = "gen_prompt_search" in plan
        print(f"search plan ({order}) uses the GIN index gen_prompt_search: {used}")
    else:
        print(f"search plan ({order}; SQLite, LIKE over the team's rows):")
    print("  " + plan.replace("\n", "\n  "))


def main() -> None:
    setup_test_environment()
    if connection.vendor == "sqlite":
        # A file, like a real deployment, rather than the in-memory test default.
        connection.settings_dict["TEST"]["NAME"] = str(
            Path(os.environ["STUDIO_DATA_DIR"]) / "bench.sqlite3"
        )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        owner, _pw = seed()
        print(
            f"database: {connection.vendor}; seeded {GENERATIONS} generations and "
            f"{COMMENTS} comments in {time.perf_counter() - started:.1f} s"
        )
        client = Client()
        client.force_login(owner)
        first = client.get("/?size=24")
        import re

        cursor = re.search(rb'rel="next" href="\?([^"]+)"', first.content).group(1).decode()
        cursor = cursor.replace("&amp;", "&")
        cases = [
            ("page 1, 24 cards, newest", "/?size=24"),
            ("page 1, 48 cards, newest", "/?size=48"),
            ("page 1, 96 cards, newest", "/?size=96"),
            ("page 2 (cursor), 24 cards", f"/?{cursor}"),
            ("most commented, 24 cards", "/?sort=most_commented&size=24"),
            ("oldest, 24 cards", "/?sort=oldest&size=24"),
            (
                "filters: completed HDR 1080p approved",
                "/?state=completed&hdr=yes&resolution=1080p&approval=approved",
            ),
            ("search 'greenhouse' (common)", "/?q=greenhouse"),
            ("search 'lighthouse fog'", "/?q=lighthouse+fog"),
            ("search 'zebra' (no match)", "/?q=zebra"),
            ("search 'orchard' + most commented", "/?q=orchard&sort=most_commented"),
        ]
        print(f"{'case':44} {'median ms':>10} {'queries':>8} {'status':>7}")
        for label, url in cases:
            ms, queries, status = measure(client, url)
            print(f"{label:44} {ms:10.1f} {queries:8d} {status:7d}")
        explain_search(owner)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
