"""sim.sync: atomic words that several threads add to without losing a step, and waits that end."""

import threading

import numpy as np
from numba import njit

from sim.sync import atomic_add, atomic_store, wait_at_least


@njit(nogil=True)
def _add_many(words, n):
    for _ in range(n):
        atomic_add(words, 0, 1)


@njit(nogil=True)
def _wait(words, value):
    ok = wait_at_least(words, 1, value, 2)
    atomic_store(words, 3, 1 if ok else -1)
    return ok


def test_threads_adding_to_one_word_lose_no_step():
    words = np.zeros(4, dtype=np.int64)
    threads = [threading.Thread(target=_add_many, args=(words, 200_000)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert words[0] == 600_000


def test_a_wait_ends_when_the_word_is_reached_or_the_abort_word_is_set():
    for word, expected in ((1, 1), (2, -1)):  # the awaited word reaches 5; or the abort word is set
        words = np.zeros(4, dtype=np.int64)
        waiter = threading.Thread(target=_wait, args=(words, 5))
        waiter.start()
        waiter.join(0.05)
        assert waiter.is_alive() and words[3] == 0, "still waiting"
        words[word] = 5
        waiter.join(60)
        assert not waiter.is_alive() and words[3] == expected
    assert words[1] == 0 and words[2] == 5
