// Unit tests of <taskio/barrier.hpp>: asyncio.Barrier, ported from
// CPython's Lib/test/test_asyncio/test_locks.py (BarrierTests), in virtual
// time.
#include <taskio/barrier.hpp>  // first: the header is self-contained

#include "../sync_support.hpp"

#include <algorithm>
#include <set>

using namespace taskio_test;
using namespace taskio_test::sync;

namespace {

asio::awaitable<std::size_t> arrive(taskio::barrier& b, trace& tr, std::string name) {
  std::size_t i = co_await b.wait();
  tr(name);
  co_return i;
}

/// test_filling_tasks_wait_twice: two rounds
asio::awaitable<void> two_rounds(taskio::barrier& b, trace& tr) {
  co_await b.wait();
  tr("round1");
  co_await b.wait();
  tr("round2");
}

/// Records "broken" when wait() throws broken_barrier_error.
asio::awaitable<void> arrive_or_broken(taskio::barrier& b, trace& tr) {
  try {
    co_await b.wait();
    tr("passed");
  } catch (const taskio::broken_barrier_error&) {
    tr("broken");
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(barrier)

// test_barrier_parties
TASKIO_TEST_CASE(zero_parties_is_invalid) {
  BOOST_CHECK_THROW(taskio::barrier(0), std::invalid_argument);
  taskio::barrier b(3);
  BOOST_TEST(b.parties() == 3u);
  BOOST_TEST(b.n_waiting() == 0u);
  BOOST_TEST(!b.broken());
  BOOST_TEST(b.repr() == "<Barrier [filling, waiters:0/3]>");
  co_return;
}

// test_filling_one_task
TASKIO_TEST_CASE(one_party_passes_at_once) {
  taskio::barrier b(1);
  BOOST_TEST(co_await b.wait() == 0u);
  BOOST_TEST(co_await b.wait() == 0u);
  BOOST_TEST(vt() == 0s);
}

// test_filling_task_by_task, test_filling_tasks_check_return_value
TASKIO_TEST_CASE(the_last_arrival_releases_everyone_with_distinct_indices) {
  taskio::barrier b(3);
  trace tr;
  auto t1 = taskio::create_task(arrive(b, tr, "a"));
  co_await settle();
  BOOST_TEST(b.n_waiting() == 1u);
  auto t2 = taskio::create_task(arrive(b, tr, "b"));
  co_await settle();
  BOOST_TEST(b.n_waiting() == 2u);
  BOOST_TEST(tr.str() == "");
  auto t3 = taskio::create_task(arrive(b, tr, "c"));
  auto [i1, i2, i3] = co_await taskio::gather(t1, t2, t3);
  BOOST_TEST(i1 == 0u);  // arrival order
  BOOST_TEST(i2 == 1u);
  BOOST_TEST(i3 == 2u);
  BOOST_TEST(tr.events.size() == 3u);
  BOOST_TEST(b.n_waiting() == 0u);
  BOOST_TEST(!b.broken());
}

// test_filling_tasks_wait_twice: the barrier is reusable
TASKIO_TEST_CASE(a_barrier_serves_round_after_round) {
  taskio::barrier b(2);
  trace tr;
  auto t1 = taskio::create_task(two_rounds(b, tr));
  auto t2 = taskio::create_task(two_rounds(b, tr));
  co_await taskio::gather(t1, t2);
  BOOST_TEST(tr.str() == "round1 round1 round2 round2");
}

// test_blocking_tasks_while_draining: an arrival while the round drains
// (a released task has not left yet) waits for the next round
TASKIO_TEST_CASE(arrivals_while_draining_wait_for_the_next_round) {
  taskio::barrier b(2);
  trace tr;
  auto t1 = taskio::create_task(arrive(b, tr, "a"));
  auto t2 = taskio::create_task(arrive(b, tr, "b"));  // releases the round; a has not left yet
  auto t3 = taskio::create_task(arrive(b, tr, "c"));  // arrives while the round drains
  co_await settle();
  BOOST_TEST(tr.events.size() == 2u);
  BOOST_TEST(!t3.done());
  BOOST_TEST(b.n_waiting() == 1u);  // c waits in the new round
  auto t4 = taskio::create_task(arrive(b, tr, "d"));
  co_await taskio::gather(t3, t4);
  BOOST_TEST(tr.events.size() == 4u);
  BOOST_TEST(t3.result() == 0u);  // first of the second round
  BOOST_TEST(t4.result() == 1u);
}

// test_filling_tasks_cancel_one: a cancelled waiter leaves the round, which still fills
TASKIO_TEST_CASE(a_cancelled_waiter_leaves_the_round) {
  taskio::barrier b(2);
  trace tr;
  auto t1 = taskio::create_task(arrive(b, tr, "a"));
  co_await settle();
  BOOST_TEST(b.n_waiting() == 1u);
  t1.cancel();
  co_await catch_exception(t1.async_wait());
  BOOST_TEST(t1.cancelled());
  BOOST_TEST(b.n_waiting() == 0u);
  BOOST_TEST(!b.broken());
  auto t2 = taskio::create_task(arrive(b, tr, "b"));
  auto t3 = taskio::create_task(arrive(b, tr, "c"));
  co_await taskio::gather(t2, t3);
  BOOST_TEST(tr.events.size() == 2u);
  BOOST_TEST(t2.result() == 0u);  // a's index was given back
  BOOST_TEST(t3.result() == 1u);
}

// test_reset_barrier_while_tasks_waiting
TASKIO_TEST_CASE(reset_breaks_the_current_waiters_only) {
  taskio::barrier b(3);
  trace tr;
  auto t1 = taskio::create_task(arrive_or_broken(b, tr));
  auto t2 = taskio::create_task(arrive_or_broken(b, tr));
  co_await settle();
  co_await b.reset();
  co_await taskio::gather(t1, t2);
  BOOST_TEST(tr.str() == "broken broken");
  BOOST_TEST(!b.broken());  // usable again
  BOOST_TEST(b.n_waiting() == 0u);
  tr.events.clear();
  auto t3 = taskio::create_task(arrive_or_broken(b, tr));
  auto t4 = taskio::create_task(arrive_or_broken(b, tr));
  auto t5 = taskio::create_task(arrive_or_broken(b, tr));
  co_await taskio::gather(t3, t4, t5);
  BOOST_TEST(tr.str() == "passed passed passed");
}

// test_abort_barrier
TASKIO_TEST_CASE(abort_breaks_waiters_and_later_arrivals_until_reset) {
  taskio::barrier b(2);
  trace tr;
  auto t1 = taskio::create_task(arrive_or_broken(b, tr));
  co_await settle();
  co_await b.abort();
  co_await t1.async_wait();
  BOOST_TEST(b.broken());
  BOOST_TEST(b.repr() == "<Barrier [broken]>");
  auto e = co_await catch_exception(b.wait());
  BOOST_TEST(what_of(e) == "Barrier aborted");
  BOOST_TEST(tr.str() == "broken");
  co_await b.reset();  // repairs it
  BOOST_TEST(!b.broken());
  auto t2 = taskio::create_task(arrive_or_broken(b, tr));
  auto t3 = taskio::create_task(arrive_or_broken(b, tr));
  co_await taskio::gather(t2, t3);
  BOOST_TEST(tr.str() == "broken passed passed");
}

// test_context_manager: async with barrier waits for the round
TASKIO_TEST_CASE(async_with_waits_for_the_round) {
  taskio::barrier b(2);
  trace tr;
  auto t = taskio::create_task(arrive(b, tr, "other"));
  co_await taskio::async_with(b, [&](taskio::barrier&) -> asio::awaitable<void> {
    tr("body");
    co_return;
  });
  co_await t.async_wait();
  BOOST_TEST(tr.events.size() == 2u);
}

BOOST_AUTO_TEST_SUITE_END()
