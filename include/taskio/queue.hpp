//
// taskio/queue.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// taskio::queue<T>, priority_queue<T, Compare>, lifo_queue<T>: asyncio.Queue,
// PriorityQueue and LifoQueue (with 3.13's shutdown). A queue between tasks
// of one loop: put() waits while the queue is full (maxsize > 0), get()
// waits while it is empty; waiters are served in FIFO order. task_done()
// and join() count the items taken and processed.
//
//   taskio::queue<std::string> q(100);
//   co_await q.put("job");                   // producer
//   std::string job = co_await q.get();      // consumer
//   q.task_done();
//   co_await q.join();                       // until every item was processed
//
// Items of any movable type (std::unique_ptr, sockets): put() moves the item
// in, get() moves it out.
//
// Lifetime: not copyable, not movable; it must outlive every put(), get()
// and join() in progress. Bound to the loop of its first waiter.
//
// Cancellation: put(), get() and join() are cancellation points only when
// they wait. A cancelled get() never loses an item: items leave the queue
// only when get() returns them, and a getter cancelled after it was woken
// passes the wake-up on to the next getter (the same for putters and free
// slots). The item of a cancelled put() is destroyed, not added.
//
// Shutdown (3.13): shutdown() makes put() and put_nowait() throw
// queue_shut_down at once, and get() throw it once the queue is empty;
// shutdown(true) also discards the remaining items (counting them as done
// for join()). Every waiting putter and getter is woken to see it.
//
// Exceptions: queue_empty (get_nowait() on an empty queue), queue_full
// (put_nowait() on a full one), queue_shut_down (above), std::invalid_argument
// "task_done() called too many times"; cancelled_error.
//
// Thread safety: not thread-safe (asyncio's rule): one loop only; from
// another thread, post put_nowait() to the loop (or use
// run_coroutine_threadsafe).

#ifndef TASKIO_QUEUE_HPP
#define TASKIO_QUEUE_HPP

#include <taskio/config.hpp>
#include <taskio/detail/wait_queue.hpp>
#include <taskio/event.hpp>

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <cstddef>
#include <deque>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace taskio {

/// asyncio.QueueEmpty: get_nowait() on an empty queue.
class queue_empty : public std::runtime_error {
public:
  queue_empty() : std::runtime_error("taskio queue is empty") {}
};
/// asyncio.QueueFull: put_nowait() on a full queue.
class queue_full : public std::runtime_error {
public:
  queue_full() : std::runtime_error("taskio queue is full") {}
};
/// asyncio.QueueShutDown (3.13): the queue was shut down.
class queue_shut_down : public std::runtime_error {
public:
  queue_shut_down() : std::runtime_error("taskio queue is shut down") {}
};

namespace detail {

/// The non-template part of the queues: waiting, counting, shutdown.
/// The derived class stores the items.
class TASKIO_DECL queue_base {
public:
  queue_base(const queue_base&) = delete;
  queue_base& operator=(const queue_base&) = delete;

  /// Items in the queue.
  virtual std::size_t qsize() const noexcept = 0;
  bool empty() const noexcept { return qsize() == 0; }
  /// True if maxsize() > 0 and the queue holds maxsize() items.
  bool full() const noexcept { return maxsize_ > 0 && qsize() >= maxsize_; }
  /// 0: unbounded.
  std::size_t maxsize() const noexcept { return maxsize_; }

  /// Marks one item taken by get() as processed; join() returns once every
  /// item put was processed. Exceptions: std::invalid_argument "task_done()
  /// called too many times".
  void task_done();
  /// Waits until every item put so far was processed (task_done()).
  /// Returns at once when none is unfinished. Exceptions: cancelled_error.
  boost::asio::awaitable<void> join();

  /// Shuts the queue down (see the header comment). Idempotent; with
  /// immediate = true the remaining items are destroyed.
  void shutdown(bool immediate = false);

  /// "<Queue maxsize=0 qsize=1 _getters[1] tasks=1 shutdown>".
  std::string repr() const;

protected:
  explicit queue_base(std::size_t maxsize, const char* kind);
  ~queue_base() = default;

  virtual void discard_one() = 0;

  /// Wait while empty / full (return at once otherwise). queue_shut_down
  /// when the queue is (or gets) shut down while waiting.
  boost::asio::awaitable<void> wait_not_empty();
  boost::asio::awaitable<void> wait_not_full();
  /// Checks before a put_nowait / get_nowait (throwing its error).
  void check_put() const;
  void check_get() const;
  /// Bookkeeping after an item went in / came out.
  void after_put();
  void after_get();

private:
  std::size_t maxsize_;
  const char* kind_;
  bool shutdown_ = false;
  std::size_t unfinished_ = 0;
  event finished_;
  wait_queue getters_;
  wait_queue putters_;
};

/// A queue storing its items in Storage (push(T&&), pop() -> T, size()).
template <class T, class Storage>
class basic_queue : public queue_base {
public:
  using value_type = T;

  /// Exceptions: queue_shut_down; cancelled_error (the item is then
  /// destroyed, not added).
  boost::asio::awaitable<void> put(T item);
  /// Exceptions: queue_shut_down, queue_full.
  void put_nowait(T item);
  /// Exceptions: queue_shut_down (shut down and empty); cancelled_error.
  boost::asio::awaitable<T> get();
  /// Exceptions: queue_empty, queue_shut_down (shut down and empty).
  T get_nowait();
  std::size_t qsize() const noexcept final { return items_.size(); }

protected:
  template <class... A>
  basic_queue(std::size_t maxsize, const char* kind, A&&... a) : queue_base(maxsize, kind), items_(std::forward<A>(a)...) {}

private:
  void discard_one() final { (void)items_.pop(); }
  Storage items_;
};

/// The item stores of the three queues (below the implementation marker).
template <class T>
struct fifo_storage;
template <class T>
struct lifo_storage;
template <class T, class Compare>
struct heap_storage;

}  // namespace detail

/// asyncio.Queue: first in, first out.
template <class T>
class queue : public detail::basic_queue<T, detail::fifo_storage<T>> {
public:
  /// maxsize 0: unbounded.
  explicit queue(std::size_t maxsize = 0) : detail::basic_queue<T, detail::fifo_storage<T>>(maxsize, "Queue") {}
};

/// asyncio.PriorityQueue: the element that orders first under Compare comes
/// out first (the smallest with std::less, as heapq). Equal elements come
/// out in no particular order.
template <class T, class Compare = std::less<T>>
class priority_queue : public detail::basic_queue<T, detail::heap_storage<T, Compare>> {
public:
  explicit priority_queue(std::size_t maxsize = 0, Compare comp = Compare())
      : detail::basic_queue<T, detail::heap_storage<T, Compare>>(maxsize, "PriorityQueue", std::move(comp)) {}
};

/// asyncio.LifoQueue: last in, first out.
template <class T>
class lifo_queue : public detail::basic_queue<T, detail::lifo_storage<T>> {
public:
  explicit lifo_queue(std::size_t maxsize = 0) : detail::basic_queue<T, detail::lifo_storage<T>>(maxsize, "LifoQueue") {}
};

// ---- implementation ----

namespace detail {

template <class T, class Storage>
boost::asio::awaitable<void> basic_queue<T, Storage>::put(T item) {
  if (full()) co_await wait_not_full();
  put_nowait(std::move(item));
}

template <class T, class Storage>
void basic_queue<T, Storage>::put_nowait(T item) {
  check_put();
  items_.push(std::move(item));
  after_put();
}

template <class T, class Storage>
boost::asio::awaitable<T> basic_queue<T, Storage>::get() {
  if (empty()) co_await wait_not_empty();
  co_return get_nowait();
}

template <class T, class Storage>
T basic_queue<T, Storage>::get_nowait() {
  check_get();
  T item = items_.pop();
  after_get();
  return item;
}

template <class T>
struct fifo_storage {
  std::deque<T> d;
  void push(T&& v) { d.push_back(std::move(v)); }
  T pop() {
    T v = std::move(d.front());
    d.pop_front();
    return v;
  }
  std::size_t size() const noexcept { return d.size(); }
};

template <class T>
struct lifo_storage {
  std::vector<T> d;
  void push(T&& v) { d.push_back(std::move(v)); }
  T pop() {
    T v = std::move(d.back());
    d.pop_back();
    return v;
  }
  std::size_t size() const noexcept { return d.size(); }
};

template <class T, class Compare>
struct heap_storage {
  std::vector<T> d;
  Compare comp;
  explicit heap_storage(Compare c = Compare()) : comp(std::move(c)) {}
  // std's heap functions keep the greatest on top: reverse the order so
  // the element ordering first under Compare comes out first.
  auto reversed() {
    return [this](const T& a, const T& b) { return comp(b, a); };
  }
  void push(T&& v) {
    d.push_back(std::move(v));
    std::push_heap(d.begin(), d.end(), reversed());
  }
  T pop() {
    std::pop_heap(d.begin(), d.end(), reversed());
    T v = std::move(d.back());
    d.pop_back();
    return v;
  }
  std::size_t size() const noexcept { return d.size(); }
};

}  // namespace detail

}  // namespace taskio

#endif  // TASKIO_QUEUE_HPP
