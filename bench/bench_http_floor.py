"""The harness floor for the Slack ack bench: a bare aiohttp server that only answers 200,
hit by the same client with 200 requests at once (3 rounds). Whatever tutorbot measures in
`bench_slack_ack.py` burst mode cannot beat this on the same machine.

Run: .venv/bin/python bench/bench_http_floor.py
"""

import asyncio
import multiprocessing as mp
import statistics
import time

import aiohttp
from aiohttp import web


def serve(port):
    async def h(request):
        await request.read()
        return web.Response(status=200)
    app = web.Application()
    app.add_routes([web.post("/x", h)])
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)

async def main(port):
    body = b"token=x&team_id=T1&user_id=U1&command=%2Ftokenize&text=hello+world&response_url=http%3A%2F%2F127.0.0.1%2Fr&trigger_id=1.2.3" * 2
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        async def post():
            t = time.perf_counter()
            async with http.post(f"http://127.0.0.1:{port}/x", data=body, headers={"Content-Type": "application/x-www-form-urlencoded"}) as r:
                await r.read()
            return time.perf_counter() - t
        for _ in range(3):
            ts = sorted(await asyncio.gather(*(post() for _ in range(200))))
            print(f"bare server burst 200: p50 {statistics.median(ts)*1000:.1f} ms p99 {ts[int(len(ts)*0.99)-1]*1000:.1f} ms")
            await asyncio.sleep(0.5)

if __name__ == "__main__":
    server = mp.Process(target=serve, args=(18765,), daemon=True)
    server.start()
    time.sleep(1.5)
    asyncio.run(main(18765))
    server.kill()
