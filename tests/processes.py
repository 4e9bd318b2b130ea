"""Processes a test starts (a real Celery worker) and stops again."""

import subprocess


def stop(process: subprocess.Popen, *, timeout: float = 20) -> None:
    """Asks the process to stop (SIGTERM: a Celery worker shuts down warm) and kills it if it has not within
    `timeout` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
