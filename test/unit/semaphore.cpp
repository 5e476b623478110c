// Unit tests of <taskio/semaphore.hpp>: asyncio.Semaphore and
// BoundedSemaphore (3.13), ported from CPython's
// Lib/test/test_asyncio/test_locks.py (SemaphoreTests), in virtual time.
#include <taskio/semaphore.hpp>  // first: the header is self-contained

#include "../sync_support.hpp"

using namespace taskio_test;
using namespace taskio_test::sync;

namespace {

/// test_acquire_no_hang's c1: holds a slot across a yield, then cancels t2
asio::awaitable<void> c1_then_cancel(taskio::semaphore& s, taskio::task<void>& t2) {
  co_await taskio::async_with(s, [&](taskio::semaphore&) -> asio::awaitable<void> { co_await taskio::sleep(0s); });
  t2.cancel();
}

asio::awaitable<void> c2_never(taskio::semaphore& s, bool& entered) {
  co_await taskio::async_with(s, [&](taskio::semaphore&) -> asio::awaitable<void> {
    entered = true;
    co_return;
  });
}

/// test_acquire_fifo_order_2's c2: takes a slot, gives it back, asks again
asio::awaitable<void> take_give_take(taskio::semaphore& s, trace& tr) {
  co_await s.acquire();
  tr("2");
  s.release();
  co_await s.acquire();
  tr("4");
}

// doc/primitives.md's bounded fetcher, with a fetch that takes 1 s.
int fetching = 0, peak_fetching = 0;

asio::awaitable<std::string> fetch(std::string url) {
  peak_fetching = std::max(peak_fetching, ++fetching);
  co_await taskio::sleep(1s);
  --fetching;
  co_return "page of " + url;
}

asio::awaitable<std::vector<std::string>> fetch_all(std::vector<std::string> urls, std::size_t limit) {
  taskio::semaphore slots(limit);
  std::vector<taskio::task<std::string>> tasks;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    for (auto& url : urls)
      tasks.push_back(tg.create_task(taskio::async_with(slots, [&url](taskio::semaphore&) {
        return fetch(url);  // holds a slot while it runs
      })));
    co_return;
  });
  std::vector<std::string> pages;
  for (auto& t : tasks) pages.push_back(t.result());
  co_return pages;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(semaphore)

// The bounded fetcher of doc/primitives.md: 7 URLs, 3 at a time -> 3 s.
TASKIO_TEST_CASE(bounded_fetcher_from_the_docs) {
  std::vector<std::string> urls;
  for (char c = 'a'; c <= 'g'; ++c) urls.push_back(std::string(1, c));
  auto pages = co_await fetch_all(std::move(urls), 3);
  BOOST_TEST(pages.size() == 7u);
  BOOST_TEST(pages.front() == "page of a");
  BOOST_TEST(pages.back() == "page of g");
  BOOST_TEST(peak_fetching == 3);
  BOOST_TEST(vt() == 3s);
}

// test_initial_value_zero, test_repr
TASKIO_TEST_CASE(value_zero_is_locked_and_repr) {
  taskio::semaphore s(0);
  BOOST_TEST(s.locked());
  BOOST_TEST(s.repr() == "<Semaphore [locked]>");
  taskio::semaphore two(2);
  BOOST_TEST(!two.locked());
  BOOST_TEST(two.repr() == "<Semaphore [unlocked,value:2]>");
  co_await two.acquire();
  co_await two.acquire();
  BOOST_TEST(two.locked());
  BOOST_TEST(two.value() == 0);
  auto t = taskio::create_task(two.acquire());
  co_await settle();
  BOOST_TEST(two.repr() == "<Semaphore [locked,waiters:1]>");
  two.release();
  co_await t.async_wait();
  BOOST_TEST(two.value() == 0);
}

// test_acquire: with 3 slots, the 4th task waits for a release
TASKIO_TEST_CASE(acquire_waits_once_the_slots_are_taken) {
  taskio::semaphore s(3);
  trace tr;
  for (const char* n : {"1", "2", "3", "4"}) taskio::create_task(acquire_record(s, tr, n));
  co_await settle();
  BOOST_TEST(tr.str() == "1 2 3");
  BOOST_TEST(s.locked());
  s.release();
  co_await settle();
  BOOST_TEST(tr.str() == "1 2 3 4");
}

// test_acquire_cancel
TASKIO_TEST_CASE(a_cancelled_waiter_leaves_without_a_slot) {
  taskio::semaphore s(0);
  co_await cancel_blocked(s.acquire());
  BOOST_TEST(s.repr() == "<Semaphore [locked]>");
  s.release();
  BOOST_TEST(s.value() == 1);
  BOOST_TEST(!s.locked());
}

// test_acquire_cancel_before_awoken: cancelled waiters are skipped, one slot wakes one task
TASKIO_TEST_CASE(cancelled_waiters_are_skipped_by_release) {
  taskio::semaphore s(0);
  auto t1 = taskio::create_task(s.acquire());
  auto t2 = taskio::create_task(s.acquire());
  auto t3 = taskio::create_task(s.acquire());
  auto t4 = taskio::create_task(s.acquire());
  co_await yield();
  t1.cancel();
  t2.cancel();
  s.release();
  co_await yield();
  co_await yield();
  co_await settle();
  BOOST_TEST(t3.done());
  BOOST_TEST(!t4.done());
  BOOST_TEST(s.value() == 0);
  t4.cancel();
  co_await catch_exception(t4.async_wait());
}

// test_acquire_hang: the slot of a woken-then-cancelled waiter goes to the next one
TASKIO_TEST_CASE(woken_waiter_cancelled_passes_its_slot_on) {
  taskio::semaphore s(0);
  auto t1 = taskio::create_task(s.acquire());
  auto t2 = taskio::create_task(s.acquire());
  co_await yield();
  s.release();  // reserved for t1
  t1.cancel();  // before t1 runs
  co_await settle();
  BOOST_TEST(t1.cancelled());
  BOOST_TEST(t2.done());
  BOOST_TEST(s.locked());
  BOOST_TEST(s.value() == 0);  // t2 holds the one slot: none lost, none doubled
}

// test_acquire_no_hang
TASKIO_TEST_CASE(cancelling_a_waiter_leaves_the_semaphore_usable) {
  taskio::semaphore s(1);
  bool entered = false;
  taskio::task<void> t2;
  auto t1 = taskio::create_task(c1_then_cancel(s, t2));
  t2 = taskio::create_task(c2_never(s, entered));
  auto r = co_await taskio::gather(taskio::return_exceptions, t1, t2);
  BOOST_TEST(std::get<0>(r).has_value());
  BOOST_TEST(taskio::is_cancellation(std::get<1>(r).exception()));
  BOOST_TEST(!entered);
  co_await taskio::wait_for(s.acquire(), 1s);
  BOOST_TEST(vt() == 0s);
}

// test_acquire_fifo_order_2: a task that releases and re-acquires queues behind the waiters
TASKIO_TEST_CASE(a_newcomer_does_not_overtake_woken_waiters) {
  taskio::semaphore s(1);
  trace tr;
  auto t1 = taskio::create_task(acquire_record(s, tr, "1"));
  auto t2 = taskio::create_task(take_give_take(s, tr));
  auto t3 = taskio::create_task(acquire_record(s, tr, "3"));
  co_await yield();
  s.release();
  s.release();
  co_await taskio::gather(t1, t2, t3);
  BOOST_TEST(tr.str() == "1 2 3 4");
}

// test_acquire_fifo_order_3: with free slots, a newcomer still waits behind queued tasks
TASKIO_TEST_CASE(free_slots_go_to_queued_waiters_first) {
  taskio::semaphore s(0);
  trace tr;
  auto t1 = taskio::create_task(acquire_record(s, tr, "1"));
  auto t2 = taskio::create_task(acquire_record(s, tr, "2"));
  co_await yield();
  s.release();
  s.release();
  BOOST_TEST(s.value() == 0);  // both slots reserved for t1 and t2
  auto t3 = taskio::create_task(acquire_record(s, tr, "3"));
  co_await settle();
  BOOST_TEST(tr.str() == "1 2");
  BOOST_TEST(!t3.done());
  s.release();
  co_await t3.async_wait();
  BOOST_TEST(tr.str() == "1 2 3");
}

// test_release_no_waiters
TASKIO_TEST_CASE(release_without_waiters_adds_a_slot) {
  taskio::semaphore s(0);
  s.release();
  BOOST_TEST(!s.locked());
  BOOST_TEST(s.value() == 1);
  co_await s.acquire();
  BOOST_TEST(s.locked());
}

// test_release_not_acquired (BoundedSemaphore)
TASKIO_TEST_CASE(bounded_semaphore_released_too_often_throws) {
  taskio::bounded_semaphore b(2);
  co_await b.acquire();
  b.release();
  BOOST_TEST(contains(error_of<std::invalid_argument>([&] { b.release(); }),
                      "BoundedSemaphore released too many times"));
  taskio::semaphore& as_base = b;  // also through the base class
  BOOST_CHECK_THROW(as_base.release(), std::invalid_argument);
  BOOST_TEST(b.value() == 2);
  BOOST_TEST(b.repr() == "<BoundedSemaphore [unlocked,value:2]>");
}

// test_context_manager
TASKIO_TEST_CASE(async_with_takes_and_returns_a_slot) {
  taskio::semaphore s(2);
  co_await taskio::async_with(s, [&](taskio::semaphore& x) -> asio::awaitable<void> {
    BOOST_TEST(x.value() == 1);
    co_return;
  });
  BOOST_TEST(s.value() == 2);
  taskio::bounded_semaphore b(1);
  co_await taskio::async_with(b, [&](taskio::bounded_semaphore& x) -> asio::awaitable<void> {
    BOOST_TEST(x.locked());
    co_return;
  });
  BOOST_TEST(!b.locked());
}

// The limit holds for many tasks: never more than `n` inside at once.
TASKIO_TEST_CASE(bounds_concurrency_of_many_tasks) {
  taskio::semaphore s(3);
  int inside = 0, peak = 0;
  std::vector<taskio::task<void>> tasks;
  for (int i = 0; i < 20; ++i)
    tasks.push_back(taskio::create_task(taskio::async_with(s, [&, i](taskio::semaphore&) -> asio::awaitable<void> {
      peak = std::max(peak, ++inside);
      co_await taskio::sleep(std::chrono::seconds(1 + i % 3));
      --inside;
    })));
  co_await taskio::gather(tasks);
  BOOST_TEST(peak == 3);
  BOOST_TEST(s.value() == 3);
}

BOOST_AUTO_TEST_SUITE_END()
