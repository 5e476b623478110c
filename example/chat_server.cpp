//
// example/chat_server.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// A line-based TCP chat: every line a client sends goes to every other
// client. One taskio::queue per client (its outbox) decouples the sender
// from slow receivers: a broadcast never waits. A client that stops reading
// is cut off: its writer gives up after `write_timeout` without progress,
// or the broadcast finds its outbox full. Each client is a task_group of a
// reader and a writer; whichever ends first calls task_group::cancel() to
// end the other.
//
//   $ chat_server --port 7001          # then: nc 127.0.0.1 7001 (several)
//   $ chat_server --demo               # in-process: 3 clients, one too slow
//
// Ctrl-C stops the server (taskio::run cancels main, every session unwinds).

#include <taskio.hpp>

#include <boost/asio.hpp>

#include <csignal>
#include <cstring>
#include <iostream>
#include <list>
#include <string>

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

namespace {

constexpr auto write_timeout = 1s;
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

asio::awaitable<void> reader(tcp::socket& sock, chat_room& room, client& me, taskio::task_group& tg) {
  std::string buf;
  for (;;) {
    auto [e, n] = co_await asio::async_read_until(sock, asio::dynamic_buffer(buf), '\n',
                                                  asio::as_tuple(asio::use_awaitable));
    if (e) break;  // the client left
    room.broadcast(me, me.name + ": " + buf.substr(0, n));
    buf.erase(0, n);
  }
  tg.cancel();  // ends the writer too
}

asio::awaitable<void> writer(tcp::socket& sock, client& me, taskio::task_group& tg) {
  for (;;) {
    std::string line;
    try {
      line = co_await me.outbox.get();
    } catch (const taskio::queue_shut_down&) {
      break;
    }
    try {
      co_await taskio::wait_for(asio::async_write(sock, asio::buffer(line), asio::use_awaitable), write_timeout);
    } catch (const taskio::timeout_error&) {
      std::cout << me.name << " cut off: no progress for 1 s\n";
      break;
    }
  }
  tg.cancel();  // ends the reader too
}

asio::awaitable<void> session(tcp::socket sock, chat_room& room, std::string name) {
  client me{std::move(name)};
  room.join(me);
  struct leave_guard {
    chat_room& r;
    client& c;
    ~leave_guard() { r.leave(c); }
  } guard{room, me};
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(reader(sock, room, me, tg), me.name + "-reader");
    tg.create_task(writer(sock, me, tg), me.name + "-writer");
    co_return;
  });
}

asio::awaitable<void> serve(tcp::acceptor acceptor, chat_room& room, bool small_buffers) {
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    for (int n = 1;; ++n) {
      tcp::socket sock = co_await acceptor.async_accept(asio::use_awaitable);
      if (small_buffers) sock.set_option(asio::socket_base::send_buffer_size(4096));
      tg.create_task(session(std::move(sock), room, "client-" + std::to_string(n)));
    }
  });
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
  std::size_t received = 0;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    tg.create_task(serve(std::move(acceptor), room, true), "server");
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
    tg.cancel();  // stop the server and every session
  });
  co_return received == 500 ? 0 : 1;
}

asio::awaitable<int> server(unsigned short port) {
  tcp::acceptor acceptor(co_await asio::this_coro::executor, {asio::ip::address_v4::loopback(), port});
  std::cout << "listening " << acceptor.local_endpoint() << std::endl;
  chat_room room;
  co_await serve(std::move(acceptor), room, false);
  co_return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // exit status: main's value; 130 / 143 after Ctrl-C / SIGTERM; 1 after an error
  if (argc == 2 && std::strcmp(argv[1], "--demo") == 0) return taskio::run_main(demo());
  if (argc == 3 && std::strcmp(argv[1], "--port") == 0) {
    unsigned long port = 0;
    try {
      port = std::stoul(argv[2]);
    } catch (const std::exception&) {
    }
    if (port == 0 || port > 65535) {
      std::cerr << "chat_server: bad port '" << argv[2] << "'\n";
      return 2;
    }
    return taskio::run_main(server(static_cast<unsigned short>(port)), {.stop_signals = {SIGINT, SIGTERM}});
  }
  std::cerr << "usage: chat_server --port P | --demo\n";
  return 2;
}
