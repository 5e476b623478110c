//
// example/echo/session.cpp
//
// Distributed under the Boost Software License, Version 1.0.

#include "echo/session.hpp"

#include "echo/log.hpp"

#include <taskio/async_with.hpp>
#include <taskio/exceptions.hpp>
#include <taskio/sleep.hpp>

#include <boost/asio/use_awaitable.hpp>

#include <exception>
#include <optional>

#include <linux/sockios.h>
#include <sys/ioctl.h>

namespace echo {

session::session(tcp::socket socket, const options& opts, server_stats& stats, examples::graceful_shutdown& shutdown)
    : socket_(std::move(socket)), opts_(opts), stats_(stats), shutdown_(shutdown) {
  stats_.active += 1;
}

session::~session() { stats_.active -= 1; }

asio::awaitable<void> session::run() {
  try {
    co_await taskio::async_with(taskio::timeout(opts_.idle_timeout),
                                [this](taskio::timeout_scope& idle) { return echo_loop(idle); });
    // the server is stopping and every byte read is echoed
    co_await close_gracefully();
    ECHO_LOG(debug) << "closed: the server stops";
  } catch (const taskio::timeout_error&) {
    stats_.idle_closed += 1;
    ECHO_LOG(debug) << "closed: idle";
  } catch (const boost::system::system_error& e) {
    if (taskio::is_cancellation(std::current_exception())) {  // an aborted read or write
      report_cancelled();
      throw;
    } else if (e.code() == asio::error::eof) {
      ECHO_LOG(debug) << "closed by the peer";
    } else {
      stats_.failed += 1;
      ECHO_LOG(debug) << "closed: " << e.code().message();
    }
  } catch (const taskio::cancelled_error&) {
    report_cancelled();
    throw;  // a cancelled task ends cancelled
  }
}

void session::report_cancelled() {
  if (!unsent_.empty()) ECHO_LOG(warning) << "cancelled: " << unsent_.size() << " bytes read were not echoed";
}

/// The hot path: read, push the idle deadline back, write it all, repeat.
/// Returns when the server stops: the read waiting for input is interrupted
/// (unless_stopping), or the stop came during a write and no read starts.
asio::awaitable<void> session::echo_loop(taskio::timeout_scope& idle) {
  for (;;) {
    // use_awaitable: a read that completed as the stop began keeps its bytes (echoed below)
    const std::optional<std::size_t> n =
        co_await shutdown_.unless_stopping(socket_.async_read_some(asio::buffer(buffer_), asio::use_awaitable));
    if (!n) co_return;
    stats_.bytes_in += *n;
    postpone(idle);
    // If a cancellation aborts a write, unsent_ is exactly what is left:
    // an aborted write_some has written nothing.
    for (unsent_ = {buffer_.data(), *n}; !unsent_.empty();) {
      const std::size_t written =
          co_await socket_.async_write_some(asio::buffer(unsent_.data(), unsent_.size()), asio::use_awaitable);
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
void session::postpone(taskio::timeout_scope& idle) {
  if (!opts_.idle_timeout) return;
  const taskio::clock::time_point due = taskio::loop_time() + *opts_.idle_timeout;
  if (*idle.when() < due) idle.reschedule(due + *opts_.idle_timeout / 8);
}

/// Stopping, every echo written: send FIN, and close once the peer's kernel
/// has acknowledged every byte, dropping what the peer still sends
/// meanwhile. Closing with unread input resets the connection, and a reset
/// destroys whatever echo is still unacknowledged. The server's drain
/// deadline bounds it (a cancellation point every millisecond).
asio::awaitable<void> session::close_gracefully() {
  boost::system::error_code ec;
  socket_.shutdown(tcp::socket::shutdown_send, ec);
  while (!ec) {
    while (socket_.available(ec) > 0) socket_.read_some(asio::buffer(buffer_), ec);
    if (ec || unacknowledged() <= 1) break;  // our FIN counts as one; its ACK may be delayed
    co_await taskio::sleep(std::chrono::milliseconds(1));  // on loopback: rarely even once
  }
}

/// Bytes sent and not yet acknowledged by the peer (Linux SIOCOUTQ).
int session::unacknowledged() {
  int n = 0;
  return ::ioctl(socket_.native_handle(), SIOCOUTQ, &n) == 0 ? n : 0;
}

}  // namespace echo
