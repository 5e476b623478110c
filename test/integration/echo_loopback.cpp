// Integration tests of the echo server (example/echo/): the echo server and its
// clients on real sockets (127.0.0.1), in real time, on one loop. Every
// test bounds its time and checks that the server keeps serving after the
// fault it injects.
#include "echo/load_client.hpp"
#include "echo/server.hpp"

#include "../test_support.hpp"

#include <boost/asio/as_tuple.hpp>

#include <cmath>
#include <cstring>
#include <random>
#include <span>
#include <vector>

#include <sys/resource.h>

namespace taskio_test {
namespace {

using tcp = asio::ip::tcp;

constexpr std::size_t max_message = 64 * 1024;
constexpr std::size_t batch_size = 128 * 1024;  // what a pipelining client writes before reading

/// 1 MiB of random bytes plus room for one batch: every message is a slice
/// of it at a random offset (no per-byte generation per message).
std::span<const char> random_pool() {
  static const std::vector<char> pool = [] {
    std::vector<char> v((1 << 20) + batch_size);
    std::mt19937 rng(12345);
    for (char& c : v) c = static_cast<char>(rng());
    return v;
  }();
  return pool;
}

/// `size` (a multiple of 1 MiB) bytes of the pool's first MiB, repeated.
std::vector<char> random_data(std::size_t size) {
  std::vector<char> data(size);
  for (std::size_t i = 0; i < size; i += 1 << 20) std::memcpy(data.data() + i, random_pool().data(), 1 << 20);
  return data;
}

/// A message of random content whose size is log-uniform in [1, 64 KiB]:
/// as many 1-100 byte messages as 1-64 KiB ones (mean about 6 KiB).
std::span<const char> random_message(std::mt19937& rng) {
  const double log_size = std::uniform_real_distribution<double>(0.0, std::log(double(max_message)))(rng);
  const auto size = std::clamp<std::size_t>(static_cast<std::size_t>(std::exp(log_size)), 1, max_message);
  return random_pool().subspan(rng() % (1 << 20), size);
}

/// Raises the soft limit of open files to the hard limit; returns it.
rlim_t raise_file_limit() {
  rlimit r{};
  ::getrlimit(RLIMIT_NOFILE, &r);
  r.rlim_cur = r.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &r);
  ::getrlimit(RLIMIT_NOFILE, &r);
  return r.rlim_cur;
}

asio::awaitable<tcp::socket> connect(const tcp::endpoint& address) {
  tcp::socket s(co_await asio::this_coro::executor);
  co_await s.async_connect(address, asio::use_awaitable);
  co_return s;
}

struct client_result {
  std::uint64_t messages = 0;    // echoed completely
  std::uint64_t sent = 0;        // bytes written
  std::uint64_t received = 0;    // bytes of echo received, each checked
  std::uint64_t mismatches = 0;  // messages whose echo differed
  bool closed_by_server = false;
};

/// Sends up to `messages` random messages, reading each one's whole echo
/// and checking every byte; stops early when the server closes (what was
/// echoed until then is still read and checked). A pipelining client
/// writes 128 KiB at a time and has a small receive buffer, so its echo
/// waits in the server's send queue while it writes.
asio::awaitable<void> run_client(tcp::endpoint address, unsigned seed, std::uint64_t messages, client_result& r,
                                 bool pipelining = false) {
  tcp::socket s(co_await asio::this_coro::executor, tcp::v4());
  if (pipelining) s.set_option(asio::socket_base::receive_buffer_size(4096));
  co_await s.async_connect(address, asio::use_awaitable);
  std::mt19937 rng(seed);
  std::vector<char> echoed(batch_size);
  while (r.messages < messages) {
    const std::span<const char> m =
        pipelining ? random_pool().subspan(rng() % (1 << 20), batch_size) : random_message(rng);
    auto [write_error, written] = co_await asio::async_write(s, asio::buffer(m.data(), m.size()),
                                                             asio::as_tuple(asio::use_awaitable));
    r.sent += written;
    auto [read_error, read] =
        co_await asio::async_read(s, asio::buffer(echoed.data(), written), asio::as_tuple(asio::use_awaitable));
    r.received += read;
    if (std::memcmp(echoed.data(), m.data(), read) != 0) r.mismatches += 1;
    if (write_error || read_error) {
      r.closed_by_server = true;
      co_return;
    }
    r.messages += 1;
  }
}

/// One more client, three messages: the server still serves.
asio::awaitable<void> check_still_serving(const tcp::endpoint& address) {
  client_result r;
  co_await taskio::wait_for(run_client(address, 99, 3, r), 10s);
  BOOST_TEST(r.messages == 3u);
  BOOST_TEST(r.mismatches == 0u);
}

/// Polls `done` every 5 ms for at most `limit`; its final value.
template <class Pred>
asio::awaitable<bool> wait_until(Pred done, taskio::clock::duration limit = 10s) {
  const auto until = taskio::loop_time() + limit;
  while (!done() && taskio::loop_time() < until) co_await taskio::sleep(5ms);
  co_return done();
}

struct server_under_test {
  tcp::endpoint address;
  echo::server_stats& stats;
  taskio::task<void> task;
};

/// Runs body(server) while echo::serve() runs in the same loop, then stops
/// the server (if the body did not) and checks no connection is left.
template <class Body>
asio::awaitable<void> with_server(echo::options opts, Body body) {
  echo::server_stats stats;
  tcp::acceptor acceptor = echo::listen(co_await asio::this_coro::executor, {asio::ip::address_v4::loopback(), 0});
  server_under_test server{acceptor.local_endpoint(), stats, {}};
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
    server.task = group.create_task(echo::serve(std::move(acceptor), opts, stats), "server");
    co_await body(server);
    server.task.cancel();
  });
  BOOST_TEST(server.task.cancelled());
  BOOST_TEST(stats.active.value() == 0u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(echo_loopback)

// 1,000 clients at once, 100 messages each of 1 B .. 64 KiB (log-uniform,
// about 600 MB each way), every byte checked; about 10 s in a Debug build
// on 2 cores. With fewer than ~2,100 descriptors allowed the test uses
// fewer clients and says so.
TASKIO_REAL_TIME_TEST_CASE(thousand_clients_every_byte_checked) {
  std::size_t clients = 1000;
  if (const rlim_t files = raise_file_limit(); files < 2 * clients + 100) {
    clients = files > 200 ? (files - 100) / 2 : 50;
    BOOST_TEST_MESSAGE("open-file limit " << files << ": " << clients << " clients instead of 1000");
  }
  co_await with_server({}, [clients](server_under_test& server) -> asio::awaitable<void> {
    std::vector<client_result> results(clients);
    co_await taskio::wait_for(
        taskio::async_with(taskio::task_group{},
                           [&](taskio::task_group& group) -> asio::awaitable<void> {
                             for (unsigned i = 0; i < clients; ++i)
                               group.create_task(run_client(server.address, i, 100, results[i]));
                             co_return;
                           }),
        60s);
    std::uint64_t complete = 0, sent = 0, received = 0, mismatches = 0;
    for (const client_result& r : results) {
      complete += r.messages == 100;
      sent += r.sent, received += r.received, mismatches += r.mismatches;
    }
    BOOST_TEST(complete == clients);
    BOOST_TEST(mismatches == 0u);
    BOOST_TEST(received == sent);
    BOOST_TEST(server.stats.accepted.value() == clients);
    BOOST_TEST(server.stats.bytes_in.value() == sent);
    BOOST_TEST(server.stats.bytes_out.value() == sent);
    BOOST_TEST(co_await wait_until([&] { return server.stats.active.value() == 0; }));
    BOOST_TEST(server.stats.failed.value() == 0u);
  });
}

// A client that writes without reading: the server stops reading while its
// write is blocked, so what it holds stays within one buffer; once the
// client reads, everything comes back intact.
TASKIO_REAL_TIME_TEST_CASE(back_pressure_bounds_what_the_server_holds) {
  co_await with_server({}, [](server_under_test& server) -> asio::awaitable<void> {
    tcp::socket s = co_await connect(server.address);
    const std::vector<char> data = random_data(64 << 20);  // more than every socket buffer on the way
    co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
      taskio::task<std::size_t> writer =
          group.create_task(asio::async_write(s, asio::buffer(data), asio::use_awaitable));
      // until the server has stopped reading (no progress for 200 ms)
      std::uint64_t before = 0;
      for (int quiet = 0; quiet < 40;) {
        co_await taskio::sleep(5ms);
        BOOST_TEST_REQUIRE(server.stats.buffered() <= echo::buffer_size);
        const std::uint64_t now = server.stats.bytes_in.value();
        quiet = now == before ? quiet + 1 : 0;
        before = now;
      }
      BOOST_TEST(!writer.done());
      BOOST_TEST(server.stats.bytes_in.value() < data.size());
      BOOST_TEST(server.stats.buffered() <= echo::buffer_size);
      std::vector<char> back(data.size());
      co_await taskio::wait_for(asio::async_read(s, asio::buffer(back), asio::use_awaitable), 30s);
      BOOST_TEST((back == data));
      BOOST_TEST(co_await writer.async_wait() == data.size());
    });
    BOOST_TEST(server.stats.bytes_out.value() == data.size());
    co_await check_still_serving(server.address);
  });
}

// Half-close (shutdown of the client's sending side): the server echoes all
// it got, then closes.
TASKIO_REAL_TIME_TEST_CASE(half_close_gets_the_whole_echo_then_end_of_file) {
  co_await with_server({}, [](server_under_test& server) -> asio::awaitable<void> {
    tcp::socket s = co_await connect(server.address);
    const std::span<const char> data = random_pool().first(300'000);
    co_await asio::async_write(s, asio::buffer(data.data(), data.size()), asio::use_awaitable);
    s.shutdown(tcp::socket::shutdown_send);
    std::vector<char> back;
    auto [ec, n] = co_await taskio::wait_for(
        asio::async_read(s, asio::dynamic_buffer(back), asio::as_tuple(asio::use_awaitable)), 10s);
    BOOST_TEST(ec == asio::error::eof);
    BOOST_TEST(n == data.size());
    BOOST_TEST(std::equal(back.begin(), back.end(), data.begin(), data.end()));
    BOOST_TEST(co_await wait_until([&] { return server.stats.active.value() == 0; }));
    co_await check_still_serving(server.address);
  });
}

// Clients that go away in the middle of a message: one resets the
// connection (SO_LINGER 0) with its echo unread, one reads the echo of its
// partial message and closes. Both sessions end; the server serves on.
TASKIO_REAL_TIME_TEST_CASE(clients_disconnecting_mid_message) {
  co_await with_server({}, [](server_under_test& server) -> asio::awaitable<void> {
    const std::span<const char> partial = random_pool().first(100'000);  // of a longer message
    for (const bool reset : {true, false}) {
      tcp::socket s = co_await connect(server.address);
      co_await asio::async_write(s, asio::buffer(partial.data(), partial.size()), asio::use_awaitable);
      if (reset) {
        const std::uint64_t before = server.stats.bytes_in.value();
        BOOST_TEST(co_await wait_until([&] { return server.stats.bytes_in.value() > before; }));
        s.set_option(asio::socket_base::linger(true, 0));
      } else {
        std::vector<char> back(partial.size());
        co_await taskio::wait_for(asio::async_read(s, asio::buffer(back), asio::use_awaitable), 10s);
        BOOST_TEST(std::equal(back.begin(), back.end(), partial.begin(), partial.end()));
      }
      s.close();
    }
    BOOST_TEST(co_await wait_until([&] { return server.stats.active.value() == 0; }));
    BOOST_TEST(server.stats.accepted.value() == 2u);
    BOOST_TEST(server.stats.failed.value() == 1u);  // the reset; the other one closed normally
    co_await check_still_serving(server.address);
  });
}

// An idle connection is closed at the idle timeout (never before it); one
// that keeps sending stays open.
TASKIO_REAL_TIME_TEST_CASE(idle_connections_are_closed) {
  echo::options opts;
  opts.idle_timeout = 300ms;
  co_await with_server(opts, [](server_under_test& server) -> asio::awaitable<void> {
    tcp::socket idle = co_await connect(server.address);
    tcp::socket busy = co_await connect(server.address);
    char buf[4] = {'p', 'i', 'n', 'g'};
    const auto last_sent = taskio::loop_time();
    co_await echo::exchange(idle, buf, buf);
    for (int i = 0; i < 30; ++i) {  // 30 x 30 ms: three idle periods
      co_await echo::exchange(busy, buf, buf);
      co_await taskio::sleep(30ms);
    }
    auto [ec, n] = co_await taskio::wait_for(idle.async_read_some(asio::buffer(buf), asio::as_tuple(asio::use_awaitable)), 10s);
    BOOST_TEST(ec == asio::error::eof);
    BOOST_TEST(n == 0u);
    BOOST_TEST(taskio::loop_time() - last_sent >= 300ms);
    BOOST_TEST(server.stats.idle_closed.value() == 1u);
    co_await echo::exchange(busy, buf, buf);  // still open
    co_await check_still_serving(server.address);
  });
}

// With max_connections = 2, a third client waits in the listen backlog
// (connected, not served) until one of the first two leaves.
TASKIO_REAL_TIME_TEST_CASE(clients_beyond_max_connections_wait_for_a_slot) {
  echo::options opts;
  opts.max_connections = 2;
  co_await with_server(opts, [](server_under_test& server) -> asio::awaitable<void> {
    char buf[1] = {'x'};
    std::optional<tcp::socket> first = co_await connect(server.address);
    tcp::socket second = co_await connect(server.address);
    co_await echo::exchange(*first, buf, buf);
    co_await echo::exchange(second, buf, buf);
    tcp::socket third = co_await connect(server.address);  // completed by the kernel's backlog
    co_await asio::async_write(third, asio::buffer(buf), asio::use_awaitable);
    auto waiting = co_await catch_exception(
        taskio::wait_for(third.async_read_some(asio::buffer(buf), asio::use_awaitable), 200ms));
    BOOST_TEST(static_cast<bool>(waiting));  // timeout_error: not served
    BOOST_TEST(server.stats.accepted.value() == 2u);
    BOOST_TEST(server.stats.active.value() == 2u);
    first.reset();  // closes: a slot frees
    co_await taskio::wait_for(echo::exchange(third, buf, buf), 10s);
    BOOST_TEST(server.stats.accepted.value() == 3u);
  });
}

// Shutdown with 500 connections exchanging messages: the server stops
// reading, echoes what it had read, and closes. Every byte it read comes
// back, intact, to the client that sent it. Half the clients pipeline: at
// shutdown their echo still waits in the server's send queue while they
// keep sending (closing then would reset the connection and drop it).
TASKIO_REAL_TIME_TEST_CASE(shutdown_loses_no_byte_already_read) {
  raise_file_limit();
  co_await with_server({}, [](server_under_test& server) -> asio::awaitable<void> {
    std::vector<client_result> results(500);
    co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
      for (unsigned i = 0; i < results.size(); ++i)
        group.create_task(run_client(server.address, 1000 + i, 1'000'000, results[i], i % 2 == 0));
      BOOST_TEST(co_await wait_until([&] { return server.stats.bytes_in.value() > (20u << 20); }, 30s));
      const auto start = taskio::loop_time();
      server.task.cancel("shutdown");
      BOOST_TEST(static_cast<bool>(co_await catch_exception(server.task.async_wait())));
      BOOST_TEST(taskio::loop_time() - start < 10s);
    });
    std::uint64_t received = 0, mismatches = 0, closed = 0;
    for (const client_result& r : results) {
      received += r.received, mismatches += r.mismatches, closed += r.closed_by_server;
    }
    BOOST_TEST_MESSAGE("shutdown: " << server.stats.counts() << ", clients received " << received);
    BOOST_TEST(closed == results.size());
    BOOST_TEST(mismatches == 0u);
    BOOST_TEST(server.stats.bytes_out.value() == server.stats.bytes_in.value());
    BOOST_TEST(received == server.stats.bytes_out.value());
    BOOST_TEST(server.task.cancelled());
  });
}

// Shutdown while a client is still writing and its echo waits in the
// server's send queue (the client reads slowly): the server drops the
// input it will not echo, and closes only once the peer has all the echo.
// Closing at once would find unread input and reset the connection, which
// discards the queued echo.
TASKIO_REAL_TIME_TEST_CASE(shutdown_delivers_the_echo_queued_for_a_busy_writer) {
  co_await with_server({}, [](server_under_test& server) -> asio::awaitable<void> {
    tcp::socket s(co_await asio::this_coro::executor, tcp::v4());
    s.set_option(asio::socket_base::receive_buffer_size(4096));
    co_await s.async_connect(server.address, asio::use_awaitable);
    const std::vector<char> data = random_data(16 << 20);  // enough to fill the server's send queue
    co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
      group.create_task(asio::async_write(s, asio::buffer(data),
                                          asio::as_tuple(asio::use_awaitable)));  // reset at the end: fine
      std::uint64_t before = 0;  // until the server's write is blocked (no progress for 100 ms)
      for (int quiet = 0; quiet < 20; before = server.stats.bytes_in.value()) {
        co_await taskio::sleep(5ms);
        quiet = server.stats.bytes_in.value() == before ? quiet + 1 : 0;
      }
      server.task.cancel("shutdown");
      std::vector<char> back;
      auto [ec, n] = co_await taskio::wait_for(
          asio::async_read(s, asio::dynamic_buffer(back), asio::as_tuple(asio::use_awaitable)), 10s);
      BOOST_TEST(ec == asio::error::eof);
      BOOST_TEST(n == server.stats.bytes_in.value());
      BOOST_TEST(std::equal(back.begin(), back.end(), data.begin(), data.begin() + back.size()));
    });
    BOOST_TEST(static_cast<bool>(co_await catch_exception(server.task.async_wait())));
    BOOST_TEST(server.task.cancelled());
  });
}

// Shutdown while a peer reads nothing: the drain gives up after
// options::drain_timeout, says so, and the server stops anyway.
TASKIO_REAL_TIME_TEST_CASE(shutdown_is_bounded_when_a_peer_does_not_read) {
  echo::options opts;
  opts.drain_timeout = 300ms;
  co_await with_server(opts, [](server_under_test& server) -> asio::awaitable<void> {
    tcp::socket s = co_await connect(server.address);
    const std::vector<char> data = random_data(64 << 20);
    co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& group) -> asio::awaitable<void> {
      group.create_task(asio::async_write(s, asio::buffer(data), asio::as_tuple(asio::use_awaitable)));
      std::uint64_t before = 0;  // until the server's write is blocked (no progress for 100 ms)
      for (int quiet = 0; quiet < 20; before = server.stats.bytes_in.value()) {
        co_await taskio::sleep(5ms);
        quiet = server.stats.bytes_in.value() == before ? quiet + 1 : 0;
      }
      clear_logs();
      const auto start = taskio::loop_time();
      server.task.cancel("shutdown");
      BOOST_TEST(static_cast<bool>(co_await catch_exception(taskio::wait_for(server.task, 10s))));
      BOOST_TEST(server.task.cancelled());
      BOOST_TEST(taskio::loop_time() - start >= 300ms);
      BOOST_TEST(logged("bytes read were not echoed"));
      s.close();  // ends the writer
    });
  });
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace taskio_test
