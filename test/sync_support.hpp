//
// test/sync_support.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Helpers shared by the tests of the synchronization primitives and queues
// (test/unit/{lock,event,condition,semaphore,barrier,queue}.cpp): small task
// bodies that use a primitive and record what they did. Coroutines take
// their objects by reference (the test body outlives them); no capturing
// lambda coroutines.

#ifndef TASKIO_TEST_SYNC_SUPPORT_HPP
#define TASKIO_TEST_SYNC_SUPPORT_HPP

#include "test_support.hpp"

#include <stdexcept>
#include <string>

namespace taskio_test::sync {

/// Runs every callback that is ready (and what they schedule) without
/// moving virtual time noticeably: asyncio's test_utils.run_briefly.
inline asio::awaitable<void> settle() { co_await taskio::sleep(1ns); }

/// One loop iteration: asyncio.sleep(0).
inline asio::awaitable<void> yield() { co_await taskio::sleep(0s); }

/// Acquires `p` (a lock, semaphore or condition), records `name`, keeps it.
template <class P>
asio::awaitable<void> acquire_record(P& p, trace& tr, std::string name) {
  co_await p.acquire();
  tr(name);
}

/// Acquires `p`, records `name`, holds it for `hold`, releases it.
template <class P>
asio::awaitable<void> hold_for(P& p, trace& tr, std::string name, taskio::clock::duration hold) {
  co_await p.acquire();
  tr(name);
  co_await taskio::sleep(hold);
  p.release();
}

/// The what() of the E that f() throws ("" if it throws nothing): the
/// misuse checks (release() of an unlocked lock, task_done() too often, ...).
template <class E = std::runtime_error, class F>
std::string error_of(F f) {
  try {
    f();
  } catch (const E& e) {
    return e.what();
  }
  return "";
}

/// asyncio's "cancel a blocked waiter" tests: runs `aw` in a task, lets it
/// block, cancels it with `msg` and waits until it ended; checks that it
/// ended cancelled and returns what it ended with.
template <class T>
asio::awaitable<std::exception_ptr> cancel_blocked(asio::awaitable<T> aw, std::string msg = {}) {
  auto t = taskio::create_task(std::move(aw));
  co_await settle();
  BOOST_TEST(!t.done());
  t.cancel(std::move(msg));
  auto e = co_await catch_exception(t.async_wait());
  BOOST_TEST(t.cancelled());
  co_return e;
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace taskio_test::sync

#endif  // TASKIO_TEST_SYNC_SUPPORT_HPP
