//
// example/common/graceful_shutdown.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A server's graceful stop: stop accepting, let the connections finish what
// they have read within a deadline, then cancel what is left. echo_server
// (echo/server.cpp, echo/session.cpp) and chat_server use it;
// doc/graceful_shutdown.md is the page to copy it from.
//
//   examples::graceful_shutdown shutdown(2s);              // the drain deadline
//   co_await shutdown.serve(acceptor, accept_loop(acceptor, shutdown));
//
//   // the accept loop starts each connection through the component:
//   shutdown.start(connection(std::move(socket), shutdown), "conn-1");
//
//   // a connection awaits every read of a NEW request through unless_stopping:
//   std::optional<std::size_t> n = co_await shutdown.unless_stopping(
//       socket.async_read_some(asio::buffer(buf), taskio::use_task));
//   if (!n) co_return;   // the stop began: nothing was read; the reply to the
//                        // previous request is already out, so finish and end
//
// The stop begins when the task running serve() is cancelled (main's
// cancellation by a stop signal, under run_main's stop_signals), when stop()
// is called, or when the accept loop ends by itself. Then, in this order:
//   1. stop accepting: the accept loop is cancelled and the acceptor closed,
//      so new clients are refused at once;
//   2. tell the connections to finish: stopping() turns true, a read awaited
//      through unless_stopping() is cancelled (it returns "stopped"), and every
//      later unless_stopping() returns "stopped" without reading. What a
//      connection is doing outside unless_stopping() (writing a reply,
//      flushing an outbox) goes on;
//   3. wait for the connections, at most the drain deadline;
//   4. cancel the connections still running and wait for them.
// serve() then rethrows the cancellation that stopped it (so main sees its
// stop signal and may return 0), rethrows the accept loop's failure, or
// returns (after stop(), or an accept loop that returned).
//
// A second stop signal during the drain ends the process at once: run_main
// does that, outside the loop, whatever the drain is doing.
//
// Connections are tasks of a task group: one that fails (throws anything but
// a cancellation) stops the server with an exception_group, so a connection
// handles its own errors (a reset peer, a timeout).
//
// Thread safety: one loop. serve(), start(), stop() and unless_stopping()
// are called from the tasks of the loop running serve(). (Several loops:
// one graceful_shutdown per loop, as echo's serve_on_threads.)

#ifndef TASKIO_EXAMPLE_COMMON_GRACEFUL_SHUTDOWN_HPP
#define TASKIO_EXAMPLE_COMMON_GRACEFUL_SHUTDOWN_HPP

#include <taskio/clock.hpp>
#include <taskio/task.hpp>
#include <taskio/this_task.hpp>
#include <taskio/task_group.hpp>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/intrusive/list.hpp>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace examples {

class graceful_shutdown {
public:
  /// `drain_timeout`: how long the connections get to finish (step 3);
  /// negative: std::invalid_argument.
  explicit graceful_shutdown(taskio::clock::duration drain_timeout);
  graceful_shutdown(const graceful_shutdown&) = delete;
  graceful_shutdown& operator=(const graceful_shutdown&) = delete;

  /// Runs `accept_loop` (which calls start() for each connection) until the
  /// stop, then stops as the header comment says, and returns when every
  /// connection has ended. Single use: a second call throws
  /// std::runtime_error.
  ///
  /// Exceptions: the cancellation that began the stop, after the drain; the
  /// accept loop's exception (after the drain); an exception_group when a
  /// connection failed (the others are cancelled at once, as in any group).
  /// Cancellation: the first one begins the stop and is rethrown at the end;
  /// one during the drain skips the rest of the drain (step 4 at once).
  boost::asio::awaitable<void> serve(boost::asio::ip::tcp::acceptor& acceptor,
                                     boost::asio::awaitable<void> accept_loop);

  /// Starts `connection` as a task of the server, named `name`. Called by
  /// the accept loop; std::runtime_error outside serve() or once the stop
  /// has begun.
  taskio::task<void> start(boost::asio::awaitable<void> connection, std::string name);

  /// Awaits `read` unless the stop begins first: its value, or an empty
  /// optional when the stop began before it (`read` is then never started)
  /// or while it waited (it is cancelled). A connection awaits through it
  /// the read that waits for a new request, and nothing else.
  ///
  /// A read whose result was already on its way when the stop began keeps
  /// it with taskio::use_task's rule: the cancellation wins, the bytes are
  /// dropped (as bytes that arrived after the stop). With
  /// asio::use_awaitable the result wins and is returned.
  ///
  /// Exceptions: what `read` throws; std::runtime_error outside a task.
  /// Cancellation: other cancellations (the drain deadline, a timeout of
  /// the connection) pass through as they would without it.
  template <class T>
  boost::asio::awaitable<std::optional<T>> unless_stopping(boost::asio::awaitable<T> read) {
    if (stopping_) co_return std::nullopt;
    reader r(*this);
    std::exception_ptr failure;
    try {
      T value = co_await std::move(read);
      r.withdraw();  // the value came first: keep it
      co_return std::optional<T>(std::move(value));
    } catch (...) {
      failure = std::current_exception();
    }
    if (!r.absorb(failure)) std::rethrow_exception(failure);
    co_return std::nullopt;
  }

  /// The same for a read without a value (e.g. socket.async_wait): true
  /// when it completed, false when the stop came first.
  boost::asio::awaitable<bool> unless_stopping(boost::asio::awaitable<void> read);

  /// Begins the stop (serve() then returns normally). Before serve(): serve
  /// stops at once. Idempotent.
  void stop();

  /// Whether the stop has begun (step 2 on).
  bool stopping() const noexcept { return stopping_; }

  /// Connections that ran past the drain deadline and were cancelled.
  std::size_t cancelled() const noexcept { return cancelled_; }

private:
  /// A read awaited through unless_stopping(), listed while it waits.
  class reader : public boost::intrusive::list_base_hook<boost::intrusive::link_mode<boost::intrusive::auto_unlink>> {
  public:
    explicit reader(graceful_shutdown& owner);
    /// The stop cancelled this read's task: withdraw that request.
    void interrupt();
    /// The read ended with a value: withdraw our request if we made one.
    void withdraw() noexcept;
    /// The read failed with `e`: true if it is our own cancellation (then
    /// withdrawn), false if `e` must propagate.
    bool absorb(const std::exception_ptr& e);

  private:
    taskio::task_ref task_;
    bool interrupted_ = false;
  };
  using reader_list = boost::intrusive::list<reader, boost::intrusive::constant_time_size<false>>;

  boost::asio::awaitable<void> run_connection(boost::asio::awaitable<void> connection, std::uint64_t id);
  void begin_stopping();

  taskio::clock::duration drain_timeout_;
  bool served_ = false;
  bool stop_requested_ = false;  // stop() was called
  bool cancelled_server_ = false;  // stop() cancelled the task running serve()
  bool stopping_ = false;
  taskio::task_ref server_;               // the task running serve()
  taskio::task_group* group_ = nullptr;   // the connections' group, while serving
  std::unordered_map<std::uint64_t, taskio::task<void>> live_;  // connections not done
  std::uint64_t next_id_ = 0;
  reader_list readers_;
  std::size_t cancelled_ = 0;
};

}  // namespace examples

#endif  // TASKIO_EXAMPLE_COMMON_GRACEFUL_SHUTDOWN_HPP
