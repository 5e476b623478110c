// Unit tests of <taskio/queue.hpp>: asyncio.Queue, PriorityQueue and
// LifoQueue (3.13, with shutdown), ported from CPython's
// Lib/test/test_asyncio/test_queues.py, in virtual time.
#include <taskio/queue.hpp>  // first: the header is self-contained

#include "../sync_support.hpp"

#include <memory>
#include <set>

using namespace taskio_test;
using namespace taskio_test::sync;

namespace {

template <class Q>
asio::awaitable<void> put_record(Q& q, typename Q::value_type v, trace& tr, std::string name) {
  co_await q.put(std::move(v));
  tr(name);
}

/// A consumer that processes items until the queue is shut down.
asio::awaitable<void> worker(taskio::queue<int>& q, int& sum) {
  for (;;) {
    int v = 0;
    try {
      v = co_await q.get();
    } catch (const taskio::queue_shut_down&) {
      co_return;
    }
    co_await taskio::sleep(std::chrono::seconds(v));
    sum += v;
    q.task_done();
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(queue)

// test_repr, test_empty, test_full, test_maxsize
TASKIO_TEST_CASE(size_full_empty_and_repr) {
  taskio::queue<int> q(2);
  BOOST_TEST(q.empty());
  BOOST_TEST(!q.full());
  BOOST_TEST(q.maxsize() == 2u);
  q.put_nowait(1);
  q.put_nowait(2);
  BOOST_TEST(q.full());
  BOOST_TEST(q.qsize() == 2u);
  BOOST_TEST(q.repr() == "<Queue maxsize=2 qsize=2 tasks=2>");
  taskio::queue<int> unbounded;
  for (int i = 0; i < 1000; ++i) unbounded.put_nowait(i);
  BOOST_TEST(!unbounded.full());
  co_return;
}

// test_order (Queue, LifoQueue, PriorityQueue)
TASKIO_TEST_CASE(fifo_lifo_and_priority_order) {
  taskio::queue<int> fifo;
  taskio::lifo_queue<int> lifo;
  taskio::priority_queue<int> prio;
  for (int v : {1, 3, 2}) {
    fifo.put_nowait(v);
    lifo.put_nowait(v);
    prio.put_nowait(v);
  }
  std::vector<int> f, l, p;
  for (int i = 0; i < 3; ++i) {
    f.push_back(co_await fifo.get());
    l.push_back(co_await lifo.get());
    p.push_back(co_await prio.get());
  }
  BOOST_TEST(f == (std::vector<int>{1, 3, 2}));
  BOOST_TEST(l == (std::vector<int>{2, 3, 1}));
  BOOST_TEST(p == (std::vector<int>{1, 2, 3}));  // smallest first, as heapq
  taskio::priority_queue<int, std::greater<int>> largest_first;
  for (int v : {1, 3, 2}) largest_first.put_nowait(v);
  BOOST_TEST(largest_first.get_nowait() == 3);
}

// Move-only items go in and out by move.
TASKIO_TEST_CASE(move_only_items) {
  taskio::queue<std::unique_ptr<int>> q(1);
  co_await q.put(std::make_unique<int>(7));
  auto t = taskio::create_task(q.put(std::make_unique<int>(8)));  // waits: full
  co_await settle();
  BOOST_TEST(!t.done());
  auto a = co_await q.get();
  co_await t.async_wait();
  auto b = q.get_nowait();
  BOOST_TEST(*a == 7);
  BOOST_TEST(*b == 8);
  taskio::priority_queue<std::unique_ptr<int>, bool (*)(const std::unique_ptr<int>&, const std::unique_ptr<int>&)> pq(
      0, [](const std::unique_ptr<int>& x, const std::unique_ptr<int>& y) { return *x < *y; });
  pq.put_nowait(std::make_unique<int>(5));
  pq.put_nowait(std::make_unique<int>(4));
  BOOST_TEST(*pq.get_nowait() == 4);
}

// test_blocking_get_wait, test_get_with_putters
TASKIO_TEST_CASE(get_waits_for_a_put) {
  taskio::queue<int> q;
  auto g = taskio::create_task(q.get());
  co_await taskio::sleep(5s);
  BOOST_TEST(!g.done());
  q.put_nowait(42);
  BOOST_TEST(co_await g.async_wait() == 42);
  BOOST_TEST(vt() == 5s);
}

// test_blocking_put_wait
TASKIO_TEST_CASE(put_waits_for_a_free_slot) {
  taskio::queue<int> q(1);
  trace tr;
  co_await q.put(1);
  auto p = taskio::create_task(put_record(q, 2, tr, "put2"));
  co_await taskio::sleep(5s);
  BOOST_TEST(tr.str() == "");
  BOOST_TEST(co_await q.get() == 1);
  co_await p.async_wait();
  BOOST_TEST(tr.str() == "put2");
  BOOST_TEST(q.get_nowait() == 2);
}

// test_nonblocking_get_exception, test_nonblocking_put_exception
TASKIO_TEST_CASE(nowait_errors) {
  taskio::queue<int> q(1);
  BOOST_CHECK_THROW(q.get_nowait(), taskio::queue_empty);
  q.put_nowait(1);
  BOOST_CHECK_THROW(q.put_nowait(2), taskio::queue_full);
  BOOST_TEST(q.qsize() == 1u);
  co_return;
}

// test_get_cancelled_race: a getter cancelled while waiting does not take an item
TASKIO_TEST_CASE(cancelled_getter_does_not_take_the_next_item) {
  taskio::queue<std::string> q;
  auto t1 = taskio::create_task(q.get());
  auto t2 = taskio::create_task(q.get());
  co_await yield();
  t1.cancel();
  co_await yield();
  co_await settle();
  BOOST_TEST(t1.cancelled());
  co_await q.put("a");
  co_await settle();
  BOOST_TEST(t2.result() == "a");
}

// test_get_cancel_drop_one_pending_reader: woken, then cancelled: the item stays
TASKIO_TEST_CASE(getter_cancelled_after_its_wake_up_loses_no_item) {
  taskio::queue<int> q;
  auto reader = taskio::create_task(q.get());
  co_await yield();
  q.put_nowait(1);  // reader is woken
  q.put_nowait(2);
  reader.cancel();  // ... and cancelled before it runs
  auto e = co_await catch_exception(reader.async_wait());
  BOOST_TEST(taskio::is_cancellation(e));
  BOOST_TEST(co_await q.get() == 1);  // 1 was not dropped
  BOOST_TEST(q.get_nowait() == 2);
}

// test_get_cancel_drop_many_pending_readers: the cancelled reader's wake-up is passed on
TASKIO_TEST_CASE(cancelled_reader_passes_its_wake_up_on) {
  taskio::queue<int> q;
  auto r1 = taskio::create_task(q.get());
  auto r2 = taskio::create_task(q.get());
  auto r3 = taskio::create_task(q.get());
  co_await yield();
  q.put_nowait(1);  // wakes r1
  q.put_nowait(2);  // wakes r2
  r1.cancel();
  co_await catch_exception(r1.async_wait());
  auto v3 = co_await taskio::wait_for(r3, 1s);  // without the pass-on r3 is never woken
  std::set<int> got{r2.result(), v3};
  BOOST_TEST((got == std::set<int>{1, 2}));
  BOOST_TEST(vt() == 0s);
}

// test_put_cancelled_race / test_put_cancel_drop: a cancelled putter adds nothing, the others keep their turn
TASKIO_TEST_CASE(cancelled_putter_adds_nothing) {
  taskio::queue<std::string> q(1);
  auto put_a = taskio::create_task(q.put("a"));
  auto put_b = taskio::create_task(q.put("b"));
  auto put_x = taskio::create_task(q.put("X"));
  auto put_d = taskio::create_task(q.put("d"));
  co_await yield();
  BOOST_TEST(put_a.done());
  BOOST_TEST(!put_b.done());
  put_x.cancel();
  co_await settle();
  BOOST_TEST(put_x.cancelled());
  BOOST_TEST(q.get_nowait() == "a");
  co_await settle();
  BOOST_TEST(q.get_nowait() == "b");
  co_await settle();
  BOOST_TEST(q.get_nowait() == "d");
  BOOST_TEST(put_d.done());
}

// A putter woken by a get and then cancelled passes the free slot on.
TASKIO_TEST_CASE(woken_putter_cancelled_passes_the_slot_on) {
  taskio::queue<int> q(1);
  q.put_nowait(0);
  auto p1 = taskio::create_task(q.put(1));
  auto p2 = taskio::create_task(q.put(2));
  co_await yield();
  BOOST_TEST(q.get_nowait() == 0);  // wakes p1
  p1.cancel();
  co_await settle();
  BOOST_TEST(p1.cancelled());
  BOOST_TEST(p2.done());  // got the slot
  BOOST_TEST(q.get_nowait() == 2);
}

// test_task_done_underflow
TASKIO_TEST_CASE(task_done_too_often_throws) {
  taskio::queue<int> q;
  BOOST_TEST(contains(error_of<std::invalid_argument>([&] { q.task_done(); }), "task_done() called too many times"));
  co_return;
}

// test_task_done, test_join_empty_queue
TASKIO_TEST_CASE(join_waits_until_every_item_is_processed) {
  taskio::queue<int> q;
  co_await q.join();  // nothing unfinished: returns at once
  int sum = 0;
  for (int v : {1, 2, 3, 4}) q.put_nowait(v);
  auto w1 = taskio::create_task(worker(q, sum));
  auto w2 = taskio::create_task(worker(q, sum));
  co_await q.join();
  BOOST_TEST(sum == 10);
  BOOST_TEST(vt() == 6s);  // w1: 1 then 3 (until 4s), w2: 2 then 4 (until 6s)
  q.shutdown();
  co_await taskio::gather(w1, w2);
}

// test_shutdown_empty
TASKIO_TEST_CASE(shutdown_empty_queue_refuses_everything) {
  taskio::queue<int> q;
  q.shutdown();
  BOOST_CHECK_THROW(q.put_nowait(1), taskio::queue_shut_down);
  BOOST_CHECK_THROW(q.get_nowait(), taskio::queue_shut_down);
  auto e = co_await catch_exception(q.put(1));
  BOOST_TEST(what_of(e) == "taskio queue is shut down");
  e = co_await catch_exception(q.get());
  BOOST_TEST(what_of(e) == "taskio queue is shut down");
  co_await q.join();
}

// test_shutdown_nonempty: remaining items can still be taken
TASKIO_TEST_CASE(shutdown_lets_getters_drain_the_queue) {
  taskio::queue<int> q;
  q.put_nowait(1);
  q.put_nowait(2);
  q.shutdown();
  BOOST_CHECK_THROW(q.put_nowait(3), taskio::queue_shut_down);
  BOOST_TEST(co_await q.get() == 1);
  BOOST_TEST(q.get_nowait() == 2);
  BOOST_CHECK_THROW(q.get_nowait(), taskio::queue_shut_down);
  q.task_done();
  q.task_done();
  co_await q.join();
}

// test_shutdown_getters / test_shutdown_putters: waiters are woken with queue_shut_down
TASKIO_TEST_CASE(shutdown_wakes_waiting_getters_and_putters) {
  taskio::queue<int> empty_q;
  auto g1 = taskio::create_task(empty_q.get());
  auto g2 = taskio::create_task(empty_q.get());
  taskio::queue<int> full_q(1);
  full_q.put_nowait(0);
  auto p1 = taskio::create_task(full_q.put(1));
  co_await settle();
  empty_q.shutdown();
  full_q.shutdown();
  BOOST_TEST(what_of(co_await catch_exception(g1.async_wait())) == "taskio queue is shut down");
  BOOST_TEST(what_of(co_await catch_exception(g2.async_wait())) == "taskio queue is shut down");
  BOOST_TEST(what_of(co_await catch_exception(p1.async_wait())) == "taskio queue is shut down");
  BOOST_TEST(full_q.get_nowait() == 0);  // not immediate: the item stays
}

// test_shutdown_immediate, test_shutdown_immediate_with_unfinished
TASKIO_TEST_CASE(immediate_shutdown_discards_items_and_releases_join) {
  taskio::queue<int> q;
  q.put_nowait(1);
  q.put_nowait(2);
  q.put_nowait(3);
  BOOST_TEST(q.get_nowait() == 1);  // taken, not yet done
  auto j = taskio::create_task(q.join());
  co_await settle();
  BOOST_TEST(!j.done());
  q.shutdown(true);
  BOOST_TEST(q.empty());
  co_await settle();
  BOOST_TEST(!j.done());  // the taken item is still unfinished
  q.task_done();
  co_await j.async_wait();
  BOOST_CHECK_THROW(q.task_done(), std::invalid_argument);
  BOOST_CHECK_THROW(q.get_nowait(), taskio::queue_shut_down);
}

BOOST_AUTO_TEST_SUITE_END()
