// Unit tests of <taskio/event.hpp>: asyncio.Event, ported from CPython's
// Lib/test/test_asyncio/test_locks.py (EventTests), in virtual time.
#include <taskio/event.hpp>  // first: the header is self-contained

#include "../sync_support.hpp"

using namespace taskio_test;
using namespace taskio_test::sync;

namespace {

asio::awaitable<void> wait_record(taskio::event& ev, trace& tr, std::string name) {
  co_await ev.wait();
  tr(name);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(event)

// test_repr
TASKIO_TEST_CASE(repr_shows_flag_and_waiters) {
  taskio::event ev;
  BOOST_TEST(ev.repr() == "<Event [unset]>");
  auto t = taskio::create_task(ev.wait());
  co_await settle();
  BOOST_TEST(ev.repr() == "<Event [unset,waiters:1]>");
  ev.set();
  BOOST_TEST(ev.repr() == "<Event [set,waiters:1]>");  // until the waiter resumes
  co_await t.async_wait();
  BOOST_TEST(ev.repr() == "<Event [set]>");
}

// test_wait: set() wakes every waiter, in the order they started waiting
TASKIO_TEST_CASE(set_wakes_every_waiter_in_order) {
  taskio::event ev;
  trace tr;
  auto t1 = taskio::create_task(wait_record(ev, tr, "1"));
  auto t2 = taskio::create_task(wait_record(ev, tr, "2"));
  co_await settle();
  BOOST_TEST(tr.str() == "");
  auto t3 = taskio::create_task(wait_record(ev, tr, "3"));
  ev.set();
  co_await settle();
  BOOST_TEST(tr.str() == "3 1 2");  // t3 starts with the flag set: no wait; then the woken ones
  BOOST_TEST(ev.is_set());
}

// test_wait_on_set
TASKIO_TEST_CASE(wait_on_a_set_event_returns_without_suspending) {
  taskio::event ev;
  ev.set();
  auto me = taskio::current_task();
  me.cancel();
  co_await ev.wait();  // no suspension, so no cancellation point: does not throw
  BOOST_TEST(me.uncancel() == 0);  // withdraws the request
}

// test_wait_cancel
TASKIO_TEST_CASE(a_cancelled_waiter_leaves) {
  taskio::event ev;
  co_await cancel_blocked(ev.wait());
  BOOST_TEST(ev.repr() == "<Event [unset]>");
}

// test_clear
TASKIO_TEST_CASE(clear_makes_wait_block_again) {
  taskio::event ev;
  ev.set();
  ev.clear();
  BOOST_TEST(!ev.is_set());
  auto t = taskio::create_task(ev.wait());
  co_await taskio::sleep(10s);
  BOOST_TEST(!t.done());
  ev.set();
  co_await t.async_wait();
}

// test_clear_with_waiters: set then clear before the waiters run: they still return
TASKIO_TEST_CASE(waiters_woken_by_set_return_even_if_cleared_again) {
  taskio::event ev;
  trace tr;
  auto t1 = taskio::create_task(wait_record(ev, tr, "1"));
  auto t2 = taskio::create_task(wait_record(ev, tr, "2"));
  co_await settle();
  ev.set();
  ev.clear();
  BOOST_TEST(!ev.is_set());
  ev.set();  // a second set() while they are still waking: no double wake-up
  ev.clear();
  co_await settle();
  BOOST_TEST(tr.str() == "1 2");
  BOOST_TEST(!ev.is_set());
}

BOOST_AUTO_TEST_SUITE_END()
