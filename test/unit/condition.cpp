// Unit tests of <taskio/condition.hpp>: asyncio.Condition (3.13), ported
// from CPython's Lib/test/test_asyncio/test_locks.py (ConditionTests), in
// virtual time.
#include <taskio/condition.hpp>  // first: the header is self-contained

#include "../sync_support.hpp"

using namespace taskio_test;
using namespace taskio_test::sync;

namespace {

/// async with cond: await cond.wait(); record name
asio::awaitable<void> wait_record(taskio::condition& cv, trace& tr, std::string name) {
  co_await cv.acquire();
  co_await cv.wait();
  tr(name);
  cv.release();
}

asio::awaitable<void> wait_for_record(taskio::condition& cv, int& presult, trace& tr) {
  co_await cv.acquire();
  co_await cv.wait_for([&] { return presult != 0; });
  tr("woken:" + std::to_string(presult));
  cv.release();
}

/// test_cancelled_wakeup's consumer
asio::awaitable<void> consumer(taskio::condition& cv, int& state) {
  co_await taskio::async_with(cv, [&](taskio::condition& c) -> asio::awaitable<void> {
    for (;;) {
      co_await c.wait_for([&] { return state != 0; });
      if (state < 0) co_return;
      --state;
    }
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(condition)

// test_wait: notify(n) wakes the first n waiters, in order; each returns holding the lock
TASKIO_TEST_CASE(notify_wakes_waiters_in_fifo_order) {
  taskio::condition cv;
  trace tr;
  auto t1 = taskio::create_task(wait_record(cv, tr, "1"));
  auto t2 = taskio::create_task(wait_record(cv, tr, "2"));
  auto t3 = taskio::create_task(wait_record(cv, tr, "3"));
  co_await settle();
  BOOST_TEST(!cv.locked());
  BOOST_TEST(cv.repr() == "<Condition [unlocked,waiters:3]>");
  co_await cv.acquire();
  cv.notify();
  cv.release();
  co_await settle();
  BOOST_TEST(tr.str() == "1");
  co_await cv.acquire();
  cv.notify(2);
  cv.release();
  co_await settle();
  BOOST_TEST(tr.str() == "1 2 3");
  BOOST_TEST(!cv.locked());
}

// test_notify_all
TASKIO_TEST_CASE(notify_all_wakes_everyone) {
  taskio::condition cv;
  trace tr;
  for (const char* n : {"1", "2", "3"}) taskio::create_task(wait_record(cv, tr, n));
  co_await settle();
  co_await cv.acquire();
  cv.notify_all();
  cv.release();
  co_await settle();
  BOOST_TEST(tr.str() == "1 2 3");
}

// test_wait_for
TASKIO_TEST_CASE(wait_for_rechecks_the_predicate_after_each_wake_up) {
  taskio::condition cv;
  trace tr;
  int presult = 0;
  auto t = taskio::create_task(wait_for_record(cv, presult, tr));
  co_await settle();
  co_await cv.acquire();
  cv.notify();  // predicate still false: keeps waiting
  cv.release();
  co_await settle();
  BOOST_TEST(tr.str() == "");
  presult = 7;
  co_await cv.acquire();
  cv.notify();
  cv.release();
  co_await t.async_wait();
  BOOST_TEST(tr.str() == "woken:7");
}

// test_wait_unacquired, test_wait_for_unacquired, test_notify_unacquired, test_notify_all_unacquired
TASKIO_TEST_CASE(use_without_holding_the_lock_throws) {
  taskio::condition cv;
  auto e = co_await catch_exception(cv.wait());
  BOOST_TEST(contains(what_of(e), "cannot wait on un-acquired lock"), what_of(e));
  e = co_await catch_exception(cv.wait_for([] { return true; }));
  BOOST_TEST(contains(what_of(e), "cannot wait on un-acquired lock"), what_of(e));
  BOOST_TEST(contains(error_of([&] { cv.notify(); }), "cannot notify on un-acquired lock"));
  BOOST_TEST(contains(error_of([&] { cv.notify_all(); }), "cannot notify on un-acquired lock"));
}

// test_wait_cancel: a cancelled wait re-acquires the lock before it throws
TASKIO_TEST_CASE(cancelled_wait_returns_holding_the_lock) {
  taskio::condition cv;
  co_await cv.acquire();
  auto w = taskio::create_task(cv.wait());
  co_await settle();
  BOOST_TEST(!cv.locked());  // released while waiting
  w.cancel("bye");
  auto e = co_await catch_exception(w.async_wait());
  BOOST_TEST(cancel_message(e) == "bye");
  BOOST_TEST(cv.locked());  // re-acquired on the way out
  BOOST_TEST(cv.repr() == "<Condition [locked]>");
}

// test_wait_cancel_contested: notified, then cancelled while the lock is
// contested: the wait still ends holding the lock
TASKIO_TEST_CASE(cancel_while_reacquiring_keeps_waiting_for_the_lock) {
  taskio::condition cv;
  co_await cv.acquire();
  auto w = taskio::create_task(cv.wait());
  co_await yield();
  BOOST_TEST(!cv.locked());
  co_await cv.acquire();  // contest the lock
  cv.notify();
  taskio::call_soon([&] { w.cancel(); });
  taskio::call_soon([&] { cv.release(); });
  co_await catch_exception(w.async_wait());
  BOOST_TEST(cv.locked());  // the waiter took it, cancelled or not
  BOOST_TEST(w.done());
}

// test_cancelled_wakeup: a consumer notified and cancelled at the same time
// must not swallow the notification
TASKIO_TEST_CASE(notification_of_a_cancelled_waiter_is_passed_on) {
  taskio::condition cv;
  int state = 0;
  auto c0 = taskio::create_task(consumer(cv, state));
  auto c1 = taskio::create_task(consumer(cv, state));
  co_await settle();
  co_await taskio::async_with(cv, [&](taskio::condition& c) -> asio::awaitable<void> {
    ++state;
    c.notify(1);
    c0.cancel();  // cancelled while its wake-up is pending
    try {
      co_await taskio::async_with(taskio::timeout(10ms), [&](taskio::timeout_scope&) -> asio::awaitable<void> {
        co_await c.wait_for([&] { return state == 0; });
      });
    } catch (const taskio::timeout_error&) {
    }
    BOOST_TEST(state == 0);  // c1 consumed the item
    state = -1;
    c.notify_all();
  });
  co_await c1.async_wait();
  co_await catch_exception(c0.async_wait());
  BOOST_TEST(c0.cancelled());
}

// test_explicit_lock: conditions over one lock
TASKIO_TEST_CASE(conditions_share_an_explicit_lock) {
  taskio::lock l;
  taskio::condition a(l), b(l);
  co_await a.acquire();
  BOOST_TEST(l.locked());
  BOOST_TEST(b.locked());
  b.release();
  BOOST_TEST(!l.locked());
  BOOST_TEST(!a.locked());
}

// test_context_manager
TASKIO_TEST_CASE(async_with_holds_the_lock) {
  taskio::condition cv;
  co_await taskio::async_with(cv, [&](taskio::condition& c) -> asio::awaitable<void> {
    BOOST_TEST(c.locked());
    co_return;
  });
  BOOST_TEST(!cv.locked());
}

BOOST_AUTO_TEST_SUITE_END()
