"""Command line: ``python -m fakes3put demo`` and ``python -m fakes3put serve``."""

from __future__ import annotations

import argparse
import signal
import sys
import threading


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m fakes3put",
        description="fakes3put: a fake of Amazon S3 PUT Object and its neighbours, for tests.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="{demo,serve}")
    commands.add_parser(
        "demo",
        help="show, with boto3 against the fake, what the fake catches",
        description="Show, with boto3 against the fake, what the fake catches.",
    )
    serve = commands.add_parser(
        "serve",
        help="serve a fake over HTTP until interrupted (Ctrl-C)",
        description=(
            "Serve a fake S3 over HTTP until interrupted (Ctrl-C), for clients in other processes. "
            "Prints the endpoint, the credentials and the environment lines that point an SDK at it."
        ),
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s)")
    serve.add_argument("--port", type=int, default=9000, help="port to listen on, 0 for a free one (default: 9000)")
    serve.add_argument(
        "--bucket", action="append", default=[], metavar="NAME", help="create this bucket up front (repeatable)"
    )
    serve.add_argument("--credentials", metavar="AK:SK", help="access key and secret the fake accepts")
    serve.add_argument("--region", default="us-east-1", help="the fake's region (default: %(default)s)")
    return parser


def _serve(args: argparse.Namespace) -> int:
    from fakes3put._fake import FakeS3
    from fakes3put.errors import FakeS3Error

    credentials = None
    if args.credentials is not None:
        access_key, colon, secret_key = args.credentials.partition(":")
        if not colon or not access_key or not secret_key:
            print("fakes3put serve: --credentials must look like ACCESS_KEY:SECRET_KEY", file=sys.stderr)
            return 2
        credentials = {access_key: secret_key}
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # a terminated server stops as cleanly as Ctrl-C
    try:
        fake = FakeS3(buckets=args.bucket, credentials=credentials, region=args.region)
        server = fake.serve(host=args.host, port=args.port)
        endpoint = server.start()
    except FakeS3Error as exc:
        print(f"fakes3put serve: {exc}", file=sys.stderr)
        return 1
    try:
        print(f"fakes3put serving S3 at {endpoint}  (Ctrl-C to stop)")
        print(f"buckets: {', '.join(fake.buckets) or '(none yet)'}")
        print("# point an SDK at it:")
        for name, value in server.environment.items():
            print(f"export {name}={value}")
        sys.stdout.flush()
        threading.Event().wait()  # until Ctrl-C
    except KeyboardInterrupt:
        pass  # Ctrl-C (wherever it lands once serving) is how a user stops it: a clean exit
    finally:
        # A second Ctrl-C must not cut the shutdown short and leave the serving threads running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        server.stop()
    return 0


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "serve":
        return _serve(args)
    from fakes3put._demo import run

    return run()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
