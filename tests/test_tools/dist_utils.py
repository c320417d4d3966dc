"""Launching tools/dist_train.sh and tools/dist_test.sh from the tests."""
import os
import socket
import subprocess
import sys
from typing import List


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run(cmd: List[str], repo_root: str, timeout: float = 150,
        **env: str) -> str:
    """Run ``cmd`` in ``repo_root`` with this interpreter as ``PYTHON``, a
    free ``PORT`` and one thread per process; assert it exits 0.

    Returns:
        str: Its stdout and stderr.
    """
    env = dict(os.environ, PYTHON=sys.executable, PORT=str(free_port()),
               OMP_NUM_THREADS='1', **env)
    env['PYTHONPATH'] = repo_root + os.pathsep + env.get('PYTHONPATH', '')
    proc = subprocess.run(cmd, cwd=repo_root, env=env, capture_output=True,
                          text=True, timeout=timeout)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc.stdout + proc.stderr
