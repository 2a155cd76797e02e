"""Download throughput and peak Python memory of the studio client.

Serves a generated file from a local HTTP server and downloads it with the sync
and the async client. Usage: python bench/client_download.py [MiB]
"""

from __future__ import annotations

import asyncio
import random
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from studio.client import AsyncClient, Client  # noqa: E402

BLOCK = random.Random(1).randbytes(1024 * 1024)


def serve(mib: int) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(BLOCK) * mib))
            self.end_headers()
            for _ in range(mib):
                self.wfile.write(BLOCK)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def report(label: str, mib: int, seconds: float, peak: int) -> None:
    print(
        f"{label:6} {mib} MiB in {seconds:.2f}s = {mib / seconds:.0f} MiB/s, peak {peak / 2**20:.2f} MiB"
    )


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    server = serve(mib)
    url = f"http://127.0.0.1:{server.server_address[1]}/clip.mp4"
    with tempfile.TemporaryDirectory() as tmp:
        with Client("http://api.invalid/v1", "luma-api-bench") as client:
            tracemalloc.start()
            start = time.perf_counter()
            client.download(url, Path(tmp) / "sync.mp4")
            report("sync", mib, time.perf_counter() - start, tracemalloc.get_traced_memory()[1])
            tracemalloc.stop()

        async def run() -> None:
            async with AsyncClient("http://api.invalid/v1", "luma-api-bench") as client:
                tracemalloc.start()
                start = time.perf_counter()
                await client.download(url, Path(tmp) / "async.mp4")
                elapsed = time.perf_counter() - start
                report("async", mib, elapsed, tracemalloc.get_traced_memory()[1])
                tracemalloc.stop()

        asyncio.run(run())
    server.shutdown()


if __name__ == "__main__":
    main()
