// Unit tests of <taskio/lock.hpp>: asyncio.Lock's behaviour, ported from
// CPython's Lib/test/test_asyncio/test_locks.py (LockTests), in virtual time.
#include <taskio/lock.hpp>  // first: the header is self-contained

#include "../sync_support.hpp"

using namespace taskio_test;
using namespace taskio_test::sync;

namespace {

/// test_cancel_race's lockit(): holds the lock until `blocker` is set.
asio::awaitable<void> lockit(taskio::lock& l, taskio::future<void> blocker, bool block) {
  co_await l.acquire();
  std::exception_ptr e;
  try {
    if (block) co_await blocker.async_wait();
  } catch (...) {
    e = std::current_exception();
  }
  l.release();
  if (e) std::rethrow_exception(e);
}

asio::awaitable<void> plain_coroutine_user(taskio::lock& l, trace& tr) {
  co_await l.acquire();
  tr("plain");
  co_await taskio::sleep(1s);
  l.release();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(lock)

// test_lock / test_repr
TASKIO_TEST_CASE(acquire_release_locked_and_repr) {
  taskio::lock l;
  BOOST_TEST(!l.locked());
  BOOST_TEST(l.repr() == "<Lock [unlocked]>");
  co_await l.acquire();
  BOOST_TEST(l.locked());
  BOOST_TEST(l.repr() == "<Lock [locked]>");
  auto t = taskio::create_task(l.acquire());
  co_await settle();
  BOOST_TEST(l.repr() == "<Lock [locked,waiters:1]>");
  l.release();
  co_await t.async_wait();
  BOOST_TEST(l.locked());  // the waiter holds it now
  l.release();
  BOOST_TEST(!l.locked());
  BOOST_TEST(vt() < 1ms);  // never waited for time
}

// test_acquire: waiters get the lock in the order they asked for it
TASKIO_TEST_CASE(waiters_acquire_in_fifo_order) {
  taskio::lock l;
  trace tr;
  co_await l.acquire();
  auto t1 = taskio::create_task(acquire_record(l, tr, "1"));
  auto t2 = taskio::create_task(acquire_record(l, tr, "2"));
  auto t3 = taskio::create_task(acquire_record(l, tr, "3"));
  co_await settle();
  BOOST_TEST(tr.str() == "");
  l.release();
  co_await settle();
  BOOST_TEST(tr.str() == "1");
  l.release();
  co_await settle();
  BOOST_TEST(tr.str() == "1 2");
  l.release();
  co_await settle();
  BOOST_TEST(tr.str() == "1 2 3");
  BOOST_TEST((t1.done() && t2.done() && t3.done()));
  BOOST_TEST(l.locked());
}

// test_acquire_cancel: a cancelled waiter leaves, the lock stays with its holder
TASKIO_TEST_CASE(acquire_cancelled_while_waiting) {
  taskio::lock l;
  co_await l.acquire();
  auto e = co_await cancel_blocked(l.acquire(), "stop");
  BOOST_TEST(cancel_message(e) == "stop");
  BOOST_TEST(l.repr() == "<Lock [locked]>");  // no waiter left behind
  l.release();
  BOOST_TEST(!l.locked());
}

// test_cancel_race: a waiter cancelled while the holder releases must not
// leave the next waiter stuck
TASKIO_TEST_CASE(cancelled_head_waiter_does_not_block_the_next) {
  taskio::lock l;
  taskio::future<void> fa;
  auto ta = taskio::create_task(lockit(l, fa, true));
  co_await yield();
  BOOST_TEST(l.locked());
  auto tb = taskio::create_task(lockit(l, fa, false));
  co_await yield();
  auto tc = taskio::create_task(lockit(l, fa, false));
  co_await yield();
  fa.set_result();
  tb.cancel();
  co_await yield();
  co_await yield();
  BOOST_TEST(ta.done());
  co_await settle();
  BOOST_TEST(tb.cancelled());
  BOOST_TEST(tc.done());  // without passing the turn on, tc waits forever
  BOOST_TEST(!l.locked());
}

// test_cancel_release_race: the lock is handed to t1, t1 is cancelled
// before it runs: t2 must get the lock instead
TASKIO_TEST_CASE(woken_waiter_cancelled_passes_the_lock_on) {
  taskio::lock l;
  trace tr;
  co_await l.acquire();
  auto t1 = taskio::create_task(acquire_record(l, tr, "1"));
  auto t2 = taskio::create_task(acquire_record(l, tr, "2"));
  co_await settle();
  l.release();  // t1's wake-up is queued
  t1.cancel();  // ... and t1 is cancelled before it runs
  co_await settle();
  BOOST_TEST(t1.cancelled());
  BOOST_TEST(t2.done());
  BOOST_TEST(tr.str() == "2");
  BOOST_TEST(l.locked());  // held by t2, not by the cancelled t1
}

// test_finished_waiter_cancelled: only cancelled waiters ahead: take the lock at once
TASKIO_TEST_CASE(cancelled_waiters_do_not_hold_up_a_newcomer) {
  taskio::lock l;
  co_await l.acquire();
  auto tb = taskio::create_task(l.acquire());
  co_await yield();
  auto tc = taskio::create_task(l.acquire());
  tb.cancel();
  l.release();
  co_await yield();
  BOOST_TEST(l.locked());
  BOOST_TEST(tc.done());
  co_await settle();
  BOOST_TEST(tb.cancelled());
}

// test_release_not_acquired
TASKIO_TEST_CASE(release_of_an_unlocked_lock_throws) {
  taskio::lock l;
  BOOST_TEST(contains(error_of([&] { l.release(); }), "Lock is not acquired"));
  co_return;
}

// test_release_no_waiters
TASKIO_TEST_CASE(release_without_waiters_unlocks) {
  taskio::lock l;
  co_await l.acquire();
  l.release();
  BOOST_TEST(!l.locked());
  co_await l.acquire();  // no suspension needed
  BOOST_TEST(l.locked());
}

// test_context_manager: async with lock
TASKIO_TEST_CASE(async_with_holds_the_lock_for_the_body_and_releases_on_error) {
  taskio::lock l;
  co_await taskio::async_with(l, [&](taskio::lock& x) -> asio::awaitable<void> {
    BOOST_TEST(x.locked());
    co_return;
  });
  BOOST_TEST(!l.locked());
  auto e = co_await catch_exception(taskio::async_with(l, [&](taskio::lock&) -> asio::awaitable<void> {
    co_await taskio::sleep(1s);
    throw std::runtime_error("boom");
  }));
  BOOST_TEST(what_of(e) == "boom");
  BOOST_TEST(!l.locked());
}

// A plain co_spawn coroutine and tasks share one lock.
TASKIO_TEST_CASE(plain_asio_coroutines_and_tasks_share_a_lock) {
  taskio::lock l;
  trace tr;
  co_await l.acquire();
  auto ex = co_await asio::this_coro::executor;
  bool plain_done = false;
  asio::co_spawn(ex, plain_coroutine_user(l, tr), [&](std::exception_ptr e) { plain_done = !e; });
  auto t = taskio::create_task(hold_for(l, tr, "task", 1s));
  co_await settle();
  l.release();
  co_await t.async_wait();
  BOOST_TEST(plain_done);
  BOOST_TEST(tr.str() == "plain task");  // FIFO across both kinds
  BOOST_TEST(vt() >= 2s);
  BOOST_TEST(!l.locked());
}


// asyncio's _LoopBoundMixin: a primitive used on a second loop fails.
// nested: CTest and b2 select the file by --run_test=lock
BOOST_AUTO_TEST_SUITE(lock_loops)

asio::awaitable<void> wait_then_cancel(taskio::lock& l) {
  co_await l.acquire();
  co_await cancel_blocked(l.acquire());
  l.release();
}

asio::awaitable<void> wait_on_second_loop(taskio::lock& l, std::string& error) {
  co_await l.acquire();
  error = what_of(co_await catch_exception(l.acquire()));
  l.release();
}

BOOST_AUTO_TEST_CASE(a_lock_is_bound_to_the_loop_of_its_first_waiter) {
  taskio::lock l;
  const taskio::run_options opts{.virtual_time = true, .handle_signals = false};
  taskio::runner first(opts), second(opts);  // both loops alive
  first.run(wait_then_cancel(l));
  std::string error;
  second.run(wait_on_second_loop(l, error));
  BOOST_TEST(contains(error, "bound to a different event loop"), error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE_END()  // lock
