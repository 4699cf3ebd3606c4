"""Loopback benchmark: does the client keep a fast serving cluster busy? (issue #18)

A scripted OpenAI-compatible server (aiohttp, in its own process so its CPU is not the
client's) answers every chat completion after a fixed latency with a valid brief built
from the article's own numbered sentences. The client side is the real path:
`summarizer._batch.run_batch` driving `Summarizer.abrief_detailed` (HTTP through the
openai client, retries, validation, citing) and writing the JSONL record file. Each
(articles, jobs) case runs in a fresh process, so its CPU time and peak RSS are its own.

    python bench/loopback.py                          # the report's cases (~5 min)
    python bench/loopback.py --articles 200 --jobs 8  # one quick case
    python bench/loopback.py serve --latency 0.05     # only the server (prints its URL)
    python bench/loopback.py case --base-url URL --corpus DIR --articles 400 --jobs 8 \
        --profile out.prof                            # one case against that server, profiled

Articles are generated here (original text from word pools, seeded), written to files
in a temporary folder and read lazily, as a corpus on disk would be.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# --- articles ------------------------------------------------------------------------

_FIRST = [
    "Ilse",
    "Marta",
    "Tomas",
    "Rhea",
    "Oskar",
    "Lina",
    "Pavel",
    "Noor",
    "Edwin",
    "Saskia",
    "Joran",
    "Ada",
    "Felix",
    "Mira",
]
_LAST = [
    "Brandt",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Takeda",
    "Halvorsen",
    "Quist",
    "Duarte",
    "Varga",
    "Achterberg",
]
_TOWNS = [
    "Velmora",
    "Ostrand",
    "Kelvaro",
    "Brisk",
    "Tallow",
    "Marren",
    "Quenby",
    "Dunmoor",
    "Halsey",
    "Corvin",
]
_BODIES = (
    "Harbor Council",
    "Water Board",
    "Transport Authority",
    "Regional Assembly",
    "Port Company",
    "Health Trust",
)
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_THINGS = (
    "the old ferry pier",
    "the northern rail bridge",
    "the central library",
    "the east reservoir",
    "the coastal road",
    "the grain terminal",
    "the night bus network",
)
_ACTIONS = (
    ("close", "closure"),
    ("repair", "repair work"),
    ("rebuild", "rebuilding"),
    ("inspect", "inspection"),
    ("expand", "expansion"),
)
_FILLER = (
    "Residents gathered outside the town hall while the meeting went on.",
    "The {thing} was built more than {n} years ago and last renovated in {year}.",
    "Local shops said trade had fallen by about {n} percent since the spring.",
    "The budget for the work is {n} million crowns, drawn from reserve funds.",
    "A petition against the plan collected {n} hundred signatures in a week.",
    "Engineers reported cracks in {n} places during a survey last autumn.",
    "The decision followed a debate that lasted {n} hours.",
    "Commuters will be offered free shuttle buses on weekdays.",
    "Opposition members asked for a second survey before any money is spent.",
    "The town's two schools will change their timetables during the work.",
)
_HEDGED = (
    "It is not yet known where the ferries will dock during the work.",
    "Officials said the final cost could rise if more damage is found.",
    "It remains unclear whether the work will finish before the winter.",
)


def article(i: int) -> tuple[str, list[str]]:
    """Article `i` (deterministic) and the actors it names."""
    rng = random.Random(i)
    town = rng.choice(_TOWNS)
    body = f"{rng.choice(_BODIES)} of {town}"
    person = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
    thing = rng.choice(_THINGS)
    verb, noun = rng.choice(_ACTIONS)
    n = rng.randint(3, 90)
    sentences = [
        f"The {body} voted on {rng.choice(_DAYS)} to {verb} {thing} after {n} complaints.",
        f'Mayor {person} said the site had become "unsafe" after the winter storms.',
        f"The {noun} will last about {rng.randint(2, 11)} months, according to the council.",
    ]
    fillers = rng.sample(_FILLER, rng.randint(4, len(_FILLER)))
    for text in fillers * rng.randint(1, 2):
        sentences.append(
            text.format(thing=thing, n=rng.randint(2, 95), year=rng.randint(1960, 2015))
        )
    sentences.insert(rng.randint(3, len(sentences)), rng.choice(_HEDGED))
    return " ".join(sentences), [body, person]


# --- the server ----------------------------------------------------------------------

_LINE = re.compile(r"^(\d+) (.+)$")
_NAMES = re.compile(
    r"(?:The )?((?:" + "|".join(_BODIES) + r") of \w+)|Mayor (\w+ \w+)",
)


def answer_for(user: str) -> dict[str, Any]:
    """A valid draft for the article in a brief prompt's user message: its first
    sentence as the event, the actors it names, its last sentence as the status, and
    the hedged sentence as the open question."""
    sentences = [m.group(2) for m in map(_LINE.match, user.splitlines()) if m]
    actors: list[str] = []
    for m in _NAMES.finditer(" ".join(sentences[:2])):
        name = m.group(1) or m.group(2)
        if name not in actors:
            actors.append(name)
    hedged = [n for n, s in enumerate(sentences, 1) if s in _HEDGED] or [len(sentences)]
    return {
        "event": {
            "summary": sentences[0][:200],
            "category": "policy",
            "when": None,
            "where": None,
        },
        "actors": [
            {"name": a, "kind": "government" if " of " in a else "person", "role": "decision"}
            for a in actors
        ],
        "status": {"latest": sentences[2][:200], "phase": "scheduled"},
        "uncertainties": [{"evidence": hedged[:1]}],
    }


def serve(latency: float, port: int) -> None:
    from aiohttp import web

    async def chat(request: web.Request) -> web.Response:
        body = await request.json()
        user = next(m["content"] for m in body["messages"] if m["role"] == "user")
        content = json.dumps(answer_for(user))
        await asyncio.sleep(latency)
        message = {"role": "assistant", "content": content}
        return web.json_response(
            {
                "id": "chatcmpl-loopback",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "loopback"),
                "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 900, "completion_tokens": 150, "total_tokens": 1050},
            }
        )

    async def main() -> None:
        app = web.Application(client_max_size=8 * 1024 * 1024)
        app.router.add_post("/v1/chat/completions", chat)
        runner = web.AppRunner(app, access_log=None, handle_signals=True)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", port, backlog=1024)
        await site.start()
        bound = runner.addresses[0][1]
        print(f"http://127.0.0.1:{bound}/v1", flush=True)
        await asyncio.Event().wait()

    asyncio.run(main())


# --- one case, in its own process ----------------------------------------------------


def write_corpus(folder: Path, count: int) -> None:
    for i in range(count):
        text, _actors = article(i)
        (folder / f"a{i:05d}.txt").write_text(text + "\n", encoding="utf-8")


def run_case(
    base_url: str, corpus: Path, count: int, jobs: int, out: Path, profile: Path | None = None
) -> dict[str, Any]:
    import cProfile

    from summarizer import Summarizer
    from summarizer._batch import collect, open_records, run_batch

    items = collect([str(corpus)])[:count]

    async def go() -> Any:
        async with Summarizer(
            backend="openai", base_url=base_url, api_key="loopback", model="loopback"
        ) as s:
            # One warm-up article outside the clock: imports and the first connection.
            await s.abrief_detailed(article(10**6)[0])
            records, prior = open_records(out, resume=False)
            with records:
                # The profile covers the clocked part only: no imports, no warm-up.
                prof = cProfile.Profile() if profile else None
                cpu0, wall0 = time.process_time(), time.monotonic()
                if prof:
                    prof.enable()
                summary = await run_batch(items, s.abrief_detailed, records, prior=prior, jobs=jobs)
                if prof:
                    prof.disable()
                    prof.dump_stats(profile)
                return summary, time.process_time() - cpu0, time.monotonic() - wall0

    summary, cpu, wall = asyncio.run(go())
    reasks = 0
    with out.open(encoding="utf-8") as lines:
        for line in lines:
            meta = json.loads(line)["meta"] or {}
            reasks += meta.get("reasks", 0) + meta.get("transport_retries", 0)
    return {
        "articles": count,
        "jobs": jobs,
        "ok": summary.ok,
        "failed": summary.failed,
        "extra_requests": reasks,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", nargs="?", default="bench", choices=["bench", "serve", "case"])
    parser.add_argument("--articles", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 8, 64])
    parser.add_argument("--latency", type=float, default=0.05, help="seconds a request")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--base-url", help="case mode: the server")
    parser.add_argument("--corpus", type=Path, help="case mode: the article folder")
    parser.add_argument("--profile", type=Path, help="case mode: write cProfile stats here")
    args = parser.parse_args()
    if args.mode == "serve":
        return serve(args.latency, args.port)
    if args.mode == "case":
        work = Path(tempfile.mkdtemp(prefix="loopback-out-"))
        figures = run_case(
            args.base_url,
            args.corpus,
            args.articles[0],
            args.jobs[0],
            work / "out.jsonl",
            args.profile,
        )
        print(json.dumps(figures), flush=True)
        return None
    bench(args)
    return None


def bench(args: argparse.Namespace) -> None:
    here = Path(__file__).resolve()
    server = subprocess.Popen(
        [sys.executable, str(here), "serve", "--latency", str(args.latency)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        base_url = server.stdout.readline().strip()
        with tempfile.TemporaryDirectory(prefix="loopback-") as tmp:
            corpus = Path(tmp)
            write_corpus(corpus, max(args.articles))
            print(
                "| articles | jobs | ok | extra requests | wall s | ideal s | wall/ideal "
                "| client CPU ms/article | peak RSS MB |"
            )
            print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for count in args.articles:
                for jobs in args.jobs:
                    done = subprocess.run(
                        [
                            sys.executable,
                            str(here),
                            "case",
                            "--base-url",
                            base_url,
                            "--corpus",
                            str(corpus),
                            "--articles",
                            str(count),
                            "--jobs",
                            str(jobs),
                        ],
                        check=True,
                        capture_output=True,
                        text=True,
                        env={**os.environ, "PYTHONPATH": str(here.parent.parent)},
                    )
                    f = json.loads(done.stdout.strip().splitlines()[-1])
                    ideal = count * args.latency / jobs
                    print(
                        f"| {count} | {jobs} | {f['ok']} | {f['extra_requests']} "
                        f"| {f['wall_s']:.2f} | {ideal:.2f} | {f['wall_s'] / ideal:.2f} "
                        f"| {1000 * f['cpu_s'] / count:.2f} | {f['peak_rss_mb']:.0f} |",
                        flush=True,
                    )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
