//
// example/chat_server.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A line-based TCP chat: every line a client sends goes to every other
// client. One taskio::queue per client (its outbox) decouples the sender
// from slow receivers: a broadcast never waits. A client that stops reading
// is cut off: its writer gives up after --write-timeout without progress,
// or the broadcast finds its outbox full. Each client is a task_group of a
// reader and a writer; when the client leaves or is cut off, whichever ends
// first calls task_group::cancel() to end the other.
//
//   $ chat_server --port 7001          # then: nc 127.0.0.1 7001 (several)
//   $ chat_server --demo               # in-process: 3 clients, one too slow
//
// Stopping (Ctrl-C or SIGTERM, run_options::stop_signals; both cancel main):
// a graceful stop (common/graceful_shutdown.hpp). The listening socket
// closes at once (new clients are refused); each reader stops reading,
// broadcasts the complete lines it has already read, and shuts its client's
// outbox down; each writer flushes what is queued; then the session sends
// FIN and waits for the client to close. Sessions still running after
// --drain-timeout are cancelled. main then returns 0: a drained stop is a
// success (exit status 0). A second signal during the drain ends the
// process at once (130 / 143).

#include "common/command_line.hpp"
#include "common/graceful_shutdown.hpp"

#include <taskio.hpp>

#include <boost/asio.hpp>

#include <array>
#include <csignal>
#include <iostream>
#include <list>
#include <optional>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t outbox_lines = 1024;

struct client {
  std::string name;
  taskio::queue<std::string> outbox{outbox_lines};
};

class chat_room {
public:
  void join(client& c) {
    members_.push_back(&c);
    joined.put_nowait(c.name);
  }
  void leave(client& c) { members_.remove(&c); }
  /// Queues `line` for every member but `from`; never waits.
  void broadcast(const client& from, const std::string& line) {
    for (client* c : members_) {
      if (c == &from) continue;
      try {
        c->outbox.put_nowait(line);
      } catch (const taskio::queue_full&) {
        std::cout << c->name << " cut off: " << outbox_lines << " lines behind\n";
        c->outbox.shutdown(true);  // its writer sees queue_shut_down and ends the session
      } catch (const taskio::queue_shut_down&) {
      }
    }
  }
  taskio::queue<std::string> joined;  // names, as they join (the demo waits on it)

private:
  std::list<client*> members_;
};

struct settings {
  taskio::clock::duration write_timeout = 1s;  // a writer without progress for this long: cut off
  taskio::clock::duration drain_timeout = 3s;  // a stop: the time sessions get to flush
  bool small_buffers = false;                  // the demo: a small send buffer per client
};

/// Reads lines and broadcasts them. The client left: ends the session. The
/// server stops: broadcasts the complete lines already read, then lets the
/// writer flush the outbox (queue shutdown) and ends.
asio::awaitable<void> reader(tcp::socket& sock, chat_room& room, client& me, taskio::task_group& tg,
                             examples::graceful_shutdown& shutdown) {
  std::string buf;
  for (;;) {
    if (const std::size_t eol = buf.find('\n'); eol != std::string::npos) {
      room.broadcast(me, me.name + ": " + buf.substr(0, eol + 1));
      buf.erase(0, eol + 1);
      continue;
    }
    std::optional<std::size_t> n;
    try {
      n = co_await shutdown.unless_stopping(
          asio::async_read_until(sock, asio::dynamic_buffer(buf), '\n', taskio::use_task));
    } catch (const boost::system::system_error&) {
      tg.cancel();  // the client left: end the writer too
      co_return;
    }
    if (!n) {  // the server stops
      me.outbox.shutdown();  // the writer gets what is queued, then queue_shut_down
      co_return;
    }
  }
}

asio::awaitable<void> writer(tcp::socket& sock, client& me, taskio::task_group& tg, const settings& cfg) {
  for (;;) {
    std::string line;
    try {
      line = co_await me.outbox.get();
    } catch (const taskio::queue_shut_down&) {
      break;  // cut off, or the server stops and the outbox is flushed
    }
    try {
      co_await taskio::wait_for(asio::async_write(sock, asio::buffer(line), taskio::use_task), cfg.write_timeout);
    } catch (const taskio::timeout_error&) {
      std::cout << me.name << " cut off: no progress for " << std::chrono::duration<double>(cfg.write_timeout).count()
                << " s" << std::endl;
      break;
    } catch (const boost::system::system_error&) {
      break;  // the client is gone
    }
  }
  tg.cancel();  // ends the reader too
}

asio::awaitable<void> session(tcp::socket sock, chat_room& room, std::string name, const settings& cfg,
                              examples::graceful_shutdown& shutdown) {
  client me{std::move(name)};
  room.join(me);
  struct leave_guard {
    chat_room& r;
    client& c;
    ~leave_guard() { r.leave(c); }
  } guard{room, me};
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(reader(sock, room, me, tg, shutdown), me.name + "-reader");
    tg.create_task(writer(sock, me, tg, cfg), me.name + "-writer");
    co_return;
  });
  if (!shutdown.stopping()) co_return;
  // The server stops and the outbox is written: FIN, then wait for the
  // client to close. Closing first, with input we did not read, would reset
  // the connection and could destroy lines the client has not received yet.
  // The drain deadline bounds the wait.
  boost::system::error_code ec;
  sock.shutdown(tcp::socket::shutdown_send, ec);
  std::array<char, 512> discard;
  try {
    for (;;) co_await sock.async_read_some(asio::buffer(discard), taskio::use_task);
  } catch (const boost::system::system_error&) {  // end of file: the client closed
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, chat_room& room, const settings& cfg,
                                  examples::graceful_shutdown& shutdown) {
  for (int n = 1;; ++n) {
    tcp::socket sock = co_await acceptor.async_accept(taskio::use_task);
    if (cfg.small_buffers) sock.set_option(asio::socket_base::send_buffer_size(4096));
    const std::string name = "client-" + std::to_string(n);
    shutdown.start(session(std::move(sock), room, name, cfg, shutdown), name);
  }
}

/// Serves until the stop, then stops gracefully (graceful_shutdown).
asio::awaitable<void> serve(tcp::acceptor acceptor, chat_room& room, const settings& cfg,
                            examples::graceful_shutdown& shutdown) {
  co_await shutdown.serve(acceptor, accept_loop(acceptor, room, cfg, shutdown));
}

// --- the demo: a fast sender, a reader, and a client that never reads ---

asio::awaitable<void> count_lines(tcp::socket sock, std::size_t& lines) {
  std::string buf;
  for (;;) {
    auto [e, n] = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), '\n', asio::as_tuple(asio::use_awaitable));
    if (e) co_return;
    buf.erase(0, n);
    ++lines;
  }
}

asio::awaitable<int> demo() {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acceptor(ex, {asio::ip::address_v4::loopback(), 0});
  const tcp::endpoint ep = acceptor.local_endpoint();
  chat_room room;
  const settings cfg{.small_buffers = true};
  examples::graceful_shutdown shutdown(cfg.drain_timeout);
  std::size_t received = 0;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(serve(std::move(acceptor), room, cfg, shutdown), "server");
    tcp::socket listener(ex), slow(ex), sender(ex);
    co_await listener.async_connect(ep, asio::use_awaitable);
    std::cout << co_await room.joined.get() << " joined (reads everything)\n";
    slow.open(tcp::v4());
    slow.set_option(asio::socket_base::receive_buffer_size(4096));
    co_await slow.async_connect(ep, asio::use_awaitable);  // never reads
    std::cout << co_await room.joined.get() << " joined (never reads)\n";
    co_await sender.async_connect(ep, asio::use_awaitable);
    std::cout << co_await room.joined.get() << " joined (sends 500 lines)\n";
    tg.create_task(count_lines(std::move(listener), received), "listener");
    const std::string line(199, 'x');
    for (int i = 0; i < 500; ++i) co_await asio::async_write(sender, asio::buffer(line + "\n"), asio::use_awaitable);
    co_await taskio::sleep(2s);  // the slow client's writer gives up after 1 s
    std::cout << "client-1 received " << received << " lines\n";
    shutdown.stop();  // a graceful stop; the listener reads up to the server's FIN and closes
  });                 // (slow and sender close as the body ends)
  co_return received == 500 ? 0 : 1;
}

asio::awaitable<int> server(unsigned short port, const settings& cfg) {
  tcp::acceptor acceptor(co_await asio::this_coro::executor, {asio::ip::address_v4::loopback(), port});
  std::cout << "listening " << acceptor.local_endpoint() << std::endl;  // flushed: scripts wait for it
  chat_room room;
  examples::graceful_shutdown shutdown(cfg.drain_timeout);
  try {
    co_await serve(std::move(acceptor), room, cfg, shutdown);
  } catch (...) {
    // a stop signal's cancellation, after the drain: a success; an error: exit status 1
    if (!taskio::is_cancellation(std::current_exception())) throw;
  }
  std::cout << "stopped";
  if (shutdown.cancelled() > 0) std::cout << ": " << shutdown.cancelled() << " session(s) cancelled at the drain deadline";
  std::cout << std::endl;
  co_return 0;
}

constexpr const char* usage =
    "usage: chat_server [--port P] [--write-timeout S] [--drain-timeout S] | --demo\n"
    "  --port P           TCP port on 127.0.0.1; 0: any free port (default 7001)\n"
    "  --write-timeout S  cut a client off after S seconds without write progress (default 1)\n"
    "  --drain-timeout S  on a stop, the time sessions get to flush (default 3)\n"
    "  --demo             in-process: 3 clients, one too slow\n"
    "Prints \"listening <addr>:<port>\" on stdout once ready. Ctrl-C or SIGTERM: graceful stop\n"
    "(new clients refused; each session broadcasts the lines it read, flushes its outbox,\n"
    "sends FIN and waits for its client to close; sessions still running after the drain\n"
    "timeout are cancelled), then exit 0; a second signal during the stop: at once, 130 / 143.\n";

}  // namespace

int main(int argc, char** argv) {
  examples::command_line args(argc, argv, usage);
  const bool demo_mode = args.flag("--demo");
  settings cfg;
  const auto port = args.get<unsigned short>("--port", 7001);
  cfg.write_timeout = args.seconds("--write-timeout", 1);
  cfg.drain_timeout = args.seconds("--drain-timeout", 3);
  args.done();
  if (demo_mode) return taskio::run_main(demo());
  return taskio::run_main(server(port, cfg), {.stop_signals = {SIGINT, SIGTERM}});
}
