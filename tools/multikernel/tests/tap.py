# SPDX-License-Identifier: GPL-2.0
#
# What the host tests share: a decorator that runs a test and keeps its
# result, and the "ok N - ..." lines with the closing "N passed, N failed".

import sys

results = []


def test(name):
    def wrap(fn):
        try:
            fn()
            results.append((True, name, ""))
        except Exception as e:  # report every failure, then go on
            results.append((False, name, f"{type(e).__name__}: {e}"))
        return fn
    return wrap


def finish(prefix):
    for i, (ok, name, why) in enumerate(results, 1):
        print(f"{'ok' if ok else 'not ok'} {i} - {prefix}: {name}")
        if why:
            print(f"# {why}")
    passed = sum(ok for ok, _, _ in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    sys.exit(0 if passed == len(results) else 1)
