//
// example/echo_service.hpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// The TCP echo service of the examples and the integration tests, on plain
// Asio sockets with asio::use_awaitable (doc/echo.md explains the design):
//
//   serve(acceptor, options, stats)   a task_group owns the accept loop and
//                                     one task per connection ("conn-<peer>")
//   serve_on_threads(...)             the same on N loops, one per thread
//   run_load(server, options, report) a closed-loop load client
//
// A connection echoes what it reads: it reads at most buffer_size bytes,
// writes them back, and only then reads again (back-pressure: a peer that
// does not read its echo stops being read). It ends when the peer closes,
// when it has been idle for options::idle_timeout (a timeout_scope that
// every read pushes back), or when it is cancelled (server shutdown): it
// then stops reading, delivers the echo of what it already read within
// options::drain_timeout, and closes. At most options::max_connections run
// at once; further clients wait in the listen backlog.
//
// Threads: serve() and its sessions run on the caller's loop and touch
// `server_stats` from that thread only; other threads may read the
// counters. Records go to Boost.Log, channel "echo", with the task's name.

#ifndef TASKIO_EXAMPLE_ECHO_SERVICE_HPP
#define TASKIO_EXAMPLE_ECHO_SERVICE_HPP

#include <taskio.hpp>
#include <taskio/log.hpp>  // set_log_level, the attribute keywords

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/sources/record_ostream.hpp>
#include <boost/log/sources/severity_channel_logger.hpp>
#include <boost/log/utility/manipulators/add_value.hpp>
#include <boost/log/utility/setup/console.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iostream>
#include <optional>
#include <span>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

namespace echo {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// ---------------------------------------------------------------------------
// Logging: channel "echo"; each record carries the running task's name as
// its "Task" attribute, as taskio's own records do.

using logger_type = boost::log::sources::severity_channel_logger_mt<taskio::severity_level, std::string>;

inline logger_type& logger() {
  static logger_type instance(boost::log::keywords::channel = std::string("echo"));
  return instance;
}

/// The running task's name, "" outside a task.
inline std::string task_name() {
  const taskio::task_ref t = taskio::current_task();
  return t ? t.get_name() : std::string();
}

/// ECHO_LOG(info) << "text";  (the stream is evaluated only if a sink wants the record)
#define ECHO_LOG(level)                                                 \
  BOOST_LOG_SEV(::echo::logger(), ::boost::log::trivial::level)        \
      << ::boost::log::add_value("Task", ::echo::task_name())

/// The examples' console sink (stderr), for taskio's records and ours:
///   12:00:01.234567 debug echo [conn-127.0.0.1:5000] closed by the peer
inline void log_to_console(taskio::severity_level min_level) {
  namespace kw = taskio::log_keywords;
  auto sink = boost::log::add_console_log(std::clog, boost::log::keywords::filter = kw::severity >= min_level,
                                          boost::log::keywords::auto_flush = true);
  sink->set_formatter([](const boost::log::record_view& rec, boost::log::formatting_ostream& os) {
    const auto now = std::chrono::system_clock::now();  // a synchronous sink formats as the record is made
    const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
    std::tm local{};
    ::localtime_r(&seconds, &local);
    char time[32];
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
    std::snprintf(time, sizeof time, "%02d:%02d:%02d.%06lld", local.tm_hour, local.tm_min, local.tm_sec,
                  static_cast<long long>(micros % 1'000'000));
    os << time << ' ' << rec[kw::severity] << ' ' << rec[kw::channel];
    if (const auto task = rec[kw::task]; task && !task->empty()) os << " [" << *task << ']';
    os << ' ' << rec[boost::log::expressions::smessage];
  });
  taskio::set_log_level(min_level);
}

// ---------------------------------------------------------------------------
// Server

/// Bytes a connection reads at once: also what it holds at most (see back-pressure).
inline constexpr std::size_t buffer_size = 16 * 1024;

struct options {
  /// A connection that sends nothing for this long is closed (none: never).
  std::optional<taskio::clock::duration> idle_timeout = std::chrono::seconds(60);
  /// Connections served at once; further clients wait in the listen backlog.
  std::size_t max_connections = 10'000;
  /// On shutdown, the time a connection has to deliver the echo of what it read.
  taskio::clock::duration drain_timeout = std::chrono::seconds(2);
};

/// A statistic written by one thread (the loop's) and readable from any:
/// relaxed atomic load + store, no locked instruction on the hot path.
class counter {
public:
  void operator+=(std::uint64_t n) noexcept { v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed); }
  void operator-=(std::uint64_t n) noexcept { v_.store(v_.load(std::memory_order_relaxed) - n, std::memory_order_relaxed); }
  std::uint64_t value() const noexcept { return v_.load(std::memory_order_relaxed); }

private:
  std::atomic<std::uint64_t> v_{0};
};

/// A copy of the counters, which can be added up across loops.
struct server_counts {
  std::uint64_t accepted = 0, active = 0, bytes_in = 0, bytes_out = 0, idle_closed = 0, failed = 0;

  server_counts& operator+=(const server_counts& o) {
    accepted += o.accepted, active += o.active, bytes_in += o.bytes_in, bytes_out += o.bytes_out;
    idle_closed += o.idle_closed, failed += o.failed;
    return *this;
  }
  friend std::ostream& operator<<(std::ostream& os, const server_counts& c) {
    return os << "accepted=" << c.accepted << " active=" << c.active << " bytes_in=" << c.bytes_in
              << " bytes_out=" << c.bytes_out << " idle_closed=" << c.idle_closed << " failed=" << c.failed;
  }
};

struct server_stats {
  counter accepted;     ///< connections accepted
  counter active;       ///< connections open now
  counter bytes_in;     ///< bytes read from clients
  counter bytes_out;    ///< bytes echoed back
  counter idle_closed;  ///< connections closed by the idle timeout
  counter failed;       ///< connections ended by a socket error (reset, ...)

  /// Bytes read and not echoed yet: at most buffer_size per connection.
  /// Exact on the loop's thread.
  std::uint64_t buffered() const noexcept { return bytes_in.value() - bytes_out.value(); }
  server_counts counts() const noexcept {
    return {accepted.value(), active.value(), bytes_in.value(), bytes_out.value(), idle_closed.value(), failed.value()};
  }
};

/// e.what(), without the source location that Boost.System appends to a
/// system_error's message.
inline std::string message(const std::exception& e) {
  const std::string what = e.what();
  return dynamic_cast<const boost::system::system_error*>(&e) ? what.substr(0, what.rfind(" [")) : what;
}

/// "127.0.0.1:5000"
inline std::string to_string(const tcp::endpoint& ep) {
  std::ostringstream os;
  os << ep;
  return os.str();
}

/// A listening socket on `ep` (port 0: the kernel picks one). With
/// `reuse_port`, several sockets (one per loop) may listen on the same
/// address and the kernel spreads new connections across them.
inline tcp::acceptor listen(const asio::any_io_executor& ex, const tcp::endpoint& ep, bool reuse_port = false) {
  tcp::acceptor acceptor(ex, ep.protocol());
  acceptor.set_option(tcp::acceptor::reuse_address(true));
  if (reuse_port) {
    const int on = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) != 0)
      throw boost::system::system_error(errno, boost::system::system_category(), "setsockopt(SO_REUSEPORT)");
  }
  acceptor.bind(ep);
  acceptor.listen();
  return acceptor;
}

/// The connection limit: a taskio::semaphore whose slots are held by
/// connection tasks. acquire() waits (FIFO) while every slot is taken; a
/// slot returns when the connection task holding it is destroyed.
class connection_limit {
public:
  class slot {
  public:
    slot(slot&& o) noexcept : slots_(std::exchange(o.slots_, nullptr)) {}
    slot& operator=(slot&&) = delete;
    ~slot() {
      if (slots_) slots_->release();
    }

  private:
    friend class connection_limit;
    explicit slot(taskio::semaphore* slots) noexcept : slots_(slots) {}
    taskio::semaphore* slots_;
  };

  explicit connection_limit(std::size_t max) : slots_(max) {}

  /// Cancellation: a cancellation point while no slot is free (a waiter
  /// cancelled after a slot was reserved for it passes the slot on).
  asio::awaitable<slot> acquire() {
    co_await slots_.acquire();
    co_return slot(&slots_);
  }

private:
  taskio::semaphore slots_;
};

/// One connection, from accept to close (see the header comment).
class session {
public:
  session(tcp::socket socket, const options& opts, server_stats& stats)
      : socket_(std::move(socket)), opts_(opts), stats_(stats) {
    stats_.active += 1;
  }
  ~session() { stats_.active -= 1; }
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  /// Returns when the peer closed, the connection was idle too long or
  /// failed; throws the cancellation that stopped it (after the drain).
  asio::awaitable<void> run() {
    std::exception_ptr shutdown;  // the cancellation that stopped us, if one did
    try {
      co_await taskio::async_with(taskio::timeout(opts_.idle_timeout),
                                  [this](taskio::timeout_scope& idle) { return echo_loop(idle); });
    } catch (const taskio::timeout_error&) {
      stats_.idle_closed += 1;
      ECHO_LOG(debug) << "closed: idle";
    } catch (const boost::system::system_error& e) {
      if (taskio::is_cancellation(std::current_exception())) {
        shutdown = std::current_exception();  // an aborted read or write
      } else if (e.code() == asio::error::eof) {
        ECHO_LOG(debug) << "closed by the peer";
      } else {
        stats_.failed += 1;
        ECHO_LOG(debug) << "closed: " << e.code().message();
      }
    } catch (const taskio::cancelled_error&) {
      shutdown = std::current_exception();
    }
    if (!shutdown) co_return;
    try {
      co_await taskio::timeout(opts_.drain_timeout, drain());
    } catch (const taskio::timeout_error&) {
      ECHO_LOG(warning) << "shutdown: the peer took more than the drain timeout";
    }
    if (!unsent_.empty()) ECHO_LOG(warning) << "shutdown: " << unsent_.size() << " bytes read were not echoed";
    std::rethrow_exception(shutdown);  // a cancelled task ends cancelled
  }

private:
  /// The hot path: read, push the idle deadline back, write it all, repeat.
  asio::awaitable<void> echo_loop(taskio::timeout_scope& idle) {
    for (;;) {
      const std::size_t n = co_await socket_.async_read_some(asio::buffer(buffer_), asio::use_awaitable);
      stats_.bytes_in += n;
      postpone(idle);
      // If a cancellation aborts a write, unsent_ is exactly what is left:
      // an aborted write_some has written nothing.
      for (unsent_ = {buffer_.data(), n}; !unsent_.empty();) {
        const std::size_t written = co_await socket_.async_write_some(
            asio::buffer(unsent_.data(), unsent_.size()), asio::use_awaitable);
        unsent_ = unsent_.subspan(written);
        stats_.bytes_out += written;
      }
    }
  }

  /// Moves the idle deadline to now + idle_timeout or later. The deadline
  /// is set idle_timeout / 8 further than needed, so a busy connection
  /// touches the loop's timer queue a few times per idle period instead of
  /// at every read; the connection closes between idle_timeout and 1.125 x
  /// idle_timeout after its last read.
  void postpone(taskio::timeout_scope& idle) {
    if (!opts_.idle_timeout) return;
    const taskio::clock::time_point due = taskio::loop_time() + *opts_.idle_timeout;
    if (*idle.when() < due) idle.reschedule(due + *opts_.idle_timeout / 8);
  }

  /// Shutting down: echo what was already read, send FIN, and close once
  /// the peer's kernel has acknowledged every byte, dropping what the peer
  /// still sends meanwhile. Closing with unread input resets the connection,
  /// and a reset destroys whatever echo is still unacknowledged.
  asio::awaitable<void> drain() {
    auto [ec, written] = co_await asio::async_write(socket_, asio::buffer(unsent_.data(), unsent_.size()),
                                                    asio::as_tuple(asio::use_awaitable));
    unsent_ = unsent_.subspan(written);
    stats_.bytes_out += written;
    if (!ec) socket_.shutdown(tcp::socket::shutdown_send, ec);
    while (!ec) {
      while (socket_.available(ec) > 0) socket_.read_some(asio::buffer(buffer_), ec);
      if (ec || unacknowledged() <= 1) break;  // our FIN counts as one; its ACK may be delayed
      co_await taskio::sleep(std::chrono::milliseconds(1));  // on loopback: rarely even once
    }
  }

  /// Bytes sent and not yet acknowledged by the peer (Linux SIOCOUTQ).
  int unacknowledged() {
    int n = 0;
    return ::ioctl(socket_.native_handle(), SIOCOUTQ, &n) == 0 ? n : 0;
  }

  tcp::socket socket_;
  const options& opts_;
  server_stats& stats_;
  std::span<const char> unsent_;  // read, not yet echoed
  std::array<char, buffer_size> buffer_;
};

/// The body of a connection's task; `slot` is held until the task ends.
inline asio::awaitable<void> connection(tcp::socket socket, [[maybe_unused]] connection_limit::slot slot,
                                        const options& opts, server_stats& stats) {
  session s(std::move(socket), opts, stats);
  co_await s.run();
}

/// Accepts one connection; none after an error that may go away (too many
/// open files, ...), which is logged.
inline asio::awaitable<std::optional<tcp::socket>> accept(tcp::acceptor& acceptor) {
  try {
    co_return co_await acceptor.async_accept(taskio::use_task);
  } catch (const boost::system::system_error& e) {
    if (taskio::is_cancellation(std::current_exception()) || !acceptor.is_open()) throw;
    ECHO_LOG(warning) << "accept failed: " << e.code().message();
  }
  co_return std::nullopt;
}

/// Serves connections on `acceptor` until cancelled. Returns only by an
/// exception: cancellation (after every connection has finished), or an
/// exception_group if the accept loop failed.
///
/// Cancellation: the accept loop stops (the acceptor closes: new clients
/// are refused) and every session is cancelled and drained; then the
/// cancellation propagates.
inline asio::awaitable<void> serve(tcp::acceptor acceptor, const options& opts, server_stats& stats) {
  connection_limit limit(opts.max_connections);
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    ECHO_LOG(debug) << "accepting on " << acceptor.local_endpoint();
    try {
      for (;;) {
        connection_limit::slot slot = co_await limit.acquire();
        std::optional<tcp::socket> socket = co_await accept(acceptor);
        if (!socket) {
          co_await taskio::sleep(std::chrono::milliseconds(100));  // do not spin while out of descriptors
          continue;
        }
        stats.accepted += 1;
        boost::system::error_code ec;
        socket->set_option(tcp::no_delay(true), ec);
        const tcp::endpoint peer = socket->remote_endpoint(ec);
        group.create_task(connection(std::move(*socket), std::move(slot), opts, stats), "conn-" + to_string(peer));
      }
    } catch (...) {
      // stopping: refuse new clients now, not once every session has drained
      boost::system::error_code ignored;
      acceptor.close(ignored);
      throw;
    }
  });
}

// ---------------------------------------------------------------------------
// Several loops, one per thread

/// A taskio loop on a thread of its own (single use). Create its sockets
/// with get_executor() before run(), then co_await run(main).
class loop_thread {
public:
  asio::io_context::executor_type get_executor() { return runner_.get_executor(); }

  /// Runs `main` as the main task of this loop, on a new thread, and waits
  /// for it; rethrows its exception.
  ///
  /// Cancellation: cancelling the caller cancels `main` (on its own thread)
  /// and keeps waiting until the loop has stopped; then the cancellation
  /// propagates. No loop outlives its awaiter.
  asio::awaitable<void> run(asio::awaitable<void> main, std::string name = {}) {
    using channel = asio::experimental::concurrent_channel<void(boost::system::error_code)>;
    taskio::task<void> task = taskio::create_task(runner_.get_executor(), std::move(main), std::move(name));
    channel stopped(co_await asio::this_coro::executor, 1);  // thread-safe: how the thread reports back
    std::jthread thread([&, task] {
      try {
        runner_.run(task.async_wait());
      } catch (...) {
        // the outcome stays in `task`
      }
      runner_.close();
      stopped.try_send(boost::system::error_code());
    });
    std::exception_ptr cancellation;
    for (;;) {
      try {
        co_await stopped.async_receive(taskio::use_task);
        break;
      } catch (...) {
        task.cancel_threadsafe();
        if (!taskio::is_cancellation(std::current_exception())) throw;
        cancellation = std::current_exception();
      }
    }
    thread.join();
    if (cancellation) std::rethrow_exception(cancellation);
    task.result();
  }

private:
  taskio::runner runner_{taskio::run_options{.handle_signals = false}};
};

/// serve() on stats.size() loops: the caller's loop serves `acceptor`,
/// each other loop (a loop_thread) a new acceptor on the same address. With
/// more than one loop, `acceptor` must come from listen(..., true).
///
/// Cancellation: as serve(), on every loop at once.
inline asio::awaitable<void> serve_on_threads(tcp::acceptor acceptor, const options& opts,
                                              std::vector<server_stats>& stats) {
  const tcp::endpoint local = acceptor.local_endpoint();
  std::vector<loop_thread> loops(stats.size() - 1);
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    for (std::size_t i = 0; i < loops.size(); ++i) {
      tcp::acceptor other = listen(loops[i].get_executor(), local, true);
      group.create_task(loops[i].run(serve(std::move(other), opts, stats[i + 1]), "loop-" + std::to_string(i + 1)));
    }
    co_await serve(std::move(acceptor), opts, stats[0]);
  });
}

// ---------------------------------------------------------------------------
// Load client

struct load_options {
  std::size_t connections = 50;
  std::size_t message_size = 64;
  /// Each connection sends messages for this long...
  taskio::clock::duration duration = std::chrono::seconds(3);
  /// ...or, if set, this many messages.
  std::optional<std::uint64_t> requests;
  /// A request (send one message, receive its whole echo) that takes longer fails.
  taskio::clock::duration request_timeout = std::chrono::seconds(5);
};

struct load_report {
  std::size_t connections = 0;
  std::size_t message_size = 0;
  std::uint64_t requests = 0;    ///< echoes received in full
  std::uint64_t mismatches = 0;  ///< echoes that differ from the message
  std::uint64_t errors = 0;      ///< connections ended by an error or a timeout
  taskio::clock::time_point start{}, last{};       ///< first request sent, last echo received
  std::vector<taskio::clock::duration> latencies;  ///< one per request

  double seconds() const { return std::chrono::duration<double>(last - start).count(); }
  double requests_per_second() const { return seconds() > 0 ? static_cast<double>(requests) / seconds() : 0.0; }
  /// One-way payload rate, MB/s (10^6 bytes).
  double megabytes_per_second() const { return requests_per_second() * static_cast<double>(message_size) / 1e6; }

  /// Latency quantile q in [0, 1] (nearest rank), in microseconds.
  double latency_us(double q) const {
    if (latencies.empty()) return 0.0;
    std::vector<taskio::clock::duration> v = latencies;
    const auto rank = std::clamp<std::size_t>(static_cast<std::size_t>(q * static_cast<double>(v.size()) + 0.999999),
                                              1, v.size());
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(rank - 1), v.end());
    return std::chrono::duration<double, std::micro>(v[rank - 1]).count();
  }

  friend std::ostream& operator<<(std::ostream& os, const load_report& r) {
    const auto old = os.flags();
    os.setf(std::ios::fixed);
    os.precision(1);
    os << r.requests << " requests in " << r.seconds() << " s (" << r.connections << " connections, "
       << r.message_size << "-byte messages): " << r.requests_per_second() << " requests/s, ";
    os.precision(2);
    os << r.megabytes_per_second() << " MB/s\n";
    os.precision(1);
    os << "latency p50 " << r.latency_us(0.5) << " us, p99 " << r.latency_us(0.99) << " us, p99.9 "
       << r.latency_us(0.999) << " us\n"
       << "errors " << r.errors << ", mismatches " << r.mismatches << "\n";
    os.flags(old);
    return os;
  }
};

/// Sends `out` and reads exactly as many bytes into `in`.
inline asio::awaitable<void> exchange(tcp::socket& socket, std::span<const char> out, std::span<char> in) {
  co_await asio::async_write(socket, asio::buffer(out.data(), out.size()), taskio::use_task);
  co_await asio::async_read(socket, asio::buffer(in.data(), in.size()), taskio::use_task);
}

/// One client connection of run_load: message, whole echo, check, repeat.
inline asio::awaitable<void> load_connection(tcp::socket& socket, std::size_t id, const load_options& opts,
                                             load_report& report) {
  std::vector<char> message(opts.message_size), echoed(opts.message_size);
  for (std::size_t i = 0; i < message.size(); ++i) message[i] = static_cast<char>(i * 131 + id * 7);
  const taskio::clock::time_point until = report.start + opts.duration;
  try {
    for (std::uint64_t n = 0; opts.requests ? n < *opts.requests : taskio::loop_time() < until; ++n) {
      std::memcpy(message.data(), &n, std::min(sizeof n, message.size()));  // every message differs
      const taskio::clock::time_point sent = taskio::loop_time();
      co_await taskio::wait_for(exchange(socket, message, echoed), opts.request_timeout);
      report.last = taskio::loop_time();
      report.latencies.push_back(report.last - sent);
      report.requests += 1;
      if (message != echoed) report.mismatches += 1;
    }
  } catch (const taskio::timeout_error&) {
    report.errors += 1;
    ECHO_LOG(warning) << "connection " << id << ": no echo within the request timeout";
  } catch (const boost::system::system_error& e) {
    if (taskio::is_cancellation(std::current_exception())) throw;  // an aborted Asio operation
    report.errors += 1;
    ECHO_LOG(warning) << "connection " << id << ": "
                      << (e.code() == asio::error::eof ? "closed by the server" : e.code().message());
  }
}

/// Connects opts.connections clients to `server` (one by one, each within
/// request_timeout), then runs them concurrently in a task_group: each
/// sends a message, waits for its whole echo (under wait_for) and checks
/// every byte, for opts.duration or opts.requests times. Results go to
/// `report` as they come, so it is valid after a cancellation too.
///
/// Cancellation: stops every connection at once; the requests done so far
/// stay in `report`.
/// Exceptions: what connecting throws (timeout_error, system_error).
inline asio::awaitable<void> run_load(tcp::endpoint server, const load_options& opts, load_report& report) {
  std::vector<tcp::socket> sockets;
  for (std::size_t i = 0; i < opts.connections; ++i) {
    tcp::socket& s = sockets.emplace_back(co_await asio::this_coro::executor);
    co_await taskio::wait_for(s.async_connect(server, taskio::use_task), opts.request_timeout);
    s.set_option(tcp::no_delay(true));
  }
  report.connections = opts.connections;
  report.message_size = opts.message_size;
  report.start = report.last = taskio::loop_time();
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    for (std::size_t i = 0; i < sockets.size(); ++i)
      group.create_task(load_connection(sockets[i], i, opts, report), "client-" + std::to_string(i));
    co_return;
  });
}

// ---------------------------------------------------------------------------
// The examples' command line: "--name value" options and "--name" flags.

class command_line {
public:
  command_line(int argc, char** argv, std::string usage)
      : args_(argv + 1, argv + argc), used_(args_.size(), false), usage_(std::move(usage)) {
    if (flag("--help") || flag("-h")) {
      std::cout << usage_;
      std::exit(0);
    }
  }

  /// The value after `name`, or `fallback`. A value that does not parse
  /// as a T is a usage error.
  template <class T>
  T get(std::string_view name, T fallback) {
    for (std::size_t i = 0; i < args_.size(); ++i) {
      if (args_[i] != name) continue;
      if (i + 1 == args_.size()) fail("missing value for " + args_[i]);
      used_[i] = used_[i + 1] = true;
      std::istringstream in(args_[i + 1]);
      T value;
      if (!(in >> value) || !in.eof()) fail("bad value for " + args_[i] + ": " + args_[i + 1]);
      return value;
    }
    return fallback;
  }

  /// A duration given in seconds (fractions allowed).
  taskio::clock::duration seconds(std::string_view name, double fallback) {
    const double s = get(name, fallback);
    if (!(s >= 0)) fail("negative duration for " + std::string(name));
    return std::chrono::duration_cast<taskio::clock::duration>(std::chrono::duration<double>(s));
  }

  bool flag(std::string_view name) {
    for (std::size_t i = 0; i < args_.size(); ++i)
      if (args_[i] == name) return used_[i] = true;
    return false;
  }

  /// Call once every option was read: unknown arguments are an error.
  void done() const {
    for (std::size_t i = 0; i < args_.size(); ++i)
      if (!used_[i]) fail("unknown argument: " + args_[i]);
  }

  [[noreturn]] void fail(const std::string& why) const {
    std::cerr << why << "\n\n" << usage_;
    std::exit(64);  // EX_USAGE
  }

private:
  std::vector<std::string> args_;
  std::vector<bool> used_;
  std::string usage_;
};

}  // namespace echo

#endif  // TASKIO_EXAMPLE_ECHO_SERVICE_HPP
