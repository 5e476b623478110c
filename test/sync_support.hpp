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

/// The what() of the std::exception held by `e` ("" if none).
inline std::string what_of(const std::exception_ptr& e) {
  if (!e) return "";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "<not a std::exception>";
  }
}

inline bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace taskio_test::sync

#endif  // TASKIO_TEST_SYNC_SUPPORT_HPP
