// Reliability: the bounded soak test (label "soak"). The echo server of
// example/echo/ (serve()) on 127.0.0.1 under a stream of clients that
// connect, echo, close abruptly, stay idle, read slowly or give up halfway,
// while clients and server sessions are cancelled at random moments. Every
// echoed byte is checked; at the end the number of live tasks must be back
// to its baseline and the resident memory must not have grown (measured
// after a warm-up). Runs ~20 s; TASKIO_SOAK_SECONDS=<n> runs it longer.
#include "harness.hpp"

#include "echo/server.hpp"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <random>
#include <set>
#include <span>
#include <string>
#include <vector>

#include <unistd.h>

namespace taskio_test::reliability {
namespace {

using tcp = asio::ip::tcp;

/// Resident memory of this process, in bytes (/proc/self/statm).
long resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

std::chrono::seconds soak_duration() {
  const char* s = std::getenv("TASKIO_SOAK_SECONDS");
  return std::chrono::seconds(s ? std::max(1, std::atoi(s)) : 20);
}

/// 1 MiB of random bytes: every message is a slice of it.
std::span<const char> random_pool() {
  static const std::vector<char> pool = [] {
    std::vector<char> v(1 << 20);
    std::mt19937 rng(2024);
    for (char& c : v) c = static_cast<char>(rng());
    return v;
  }();
  return pool;
}

/// A slice of the pool, `size` bytes at a random offset.
std::span<const char> random_message(std::mt19937& rng, std::size_t size) {
  return random_pool().subspan(rng() % (random_pool().size() - size + 1), size);
}

/// Log-uniform in [1, max]: as many small messages as large ones.
std::size_t random_size(std::mt19937& rng, std::size_t max) {
  const double l = std::uniform_real_distribution<double>(0.0, std::log(double(max)))(rng);
  return std::clamp<std::size_t>(static_cast<std::size_t>(std::exp(l)), 1, max);
}

struct soak_report {
  std::uint64_t clients = 0, echoes = 0, bytes_checked = 0, mismatches = 0, closed_by_server = 0;
  std::uint64_t client_cancels = 0, session_cancels = 0, unexpected = 0;
  std::vector<std::string> errors;  // the first unexpected ones
  std::set<std::string> cancelled_sessions;
  std::vector<std::string> warnings;  // taskio records of severity warning or above
  int live_clients = 0;

  /// Moves the captured taskio warnings here and drops the other records
  /// (the capture sink would otherwise grow with every connection's log).
  void collect_logs() {
    for (auto& w : taskio_warnings())
      if (warnings.size() < 10) warnings.push_back(w);
    clear_logs();
  }

  void fail(const std::string& what) {
    ++unexpected;
    if (errors.size() < 10) errors.push_back(what);
  }
  /// Checks the first n bytes received against what was sent.
  void check(std::span<const char> sent, const std::vector<char>& received, std::size_t n) {
    bytes_checked += n;
    if (!std::equal(received.begin(), received.begin() + static_cast<std::ptrdiff_t>(n), sent.begin())) ++mismatches;
  }
};

/// Writes `out` (all of it unless the peer closes or fails); bytes written.
/// Cancellation: rethrown.
asio::awaitable<std::size_t> write_fully(tcp::socket& s, std::span<const char> out) {
  std::size_t n = 0;
  try {
    while (n < out.size())
      n += co_await s.async_write_some(asio::buffer(out.data() + n, out.size() - n), asio::use_awaitable);
  } catch (const boost::system::system_error&) {
    if (taskio::is_cancellation(std::current_exception())) throw;
  }
  co_return n;
}

/// Reads `size` bytes into `in` in chunks of at most `chunk`, pausing
/// `pause` between chunks, unless the peer closes or fails first; bytes read.
/// Cancellation: rethrown.
asio::awaitable<std::size_t> read_fully(tcp::socket& s, std::vector<char>& in, std::size_t size,
                                        std::size_t chunk = std::numeric_limits<std::size_t>::max(),
                                        taskio::clock::duration pause = {}) {
  in.resize(size);
  std::size_t n = 0;
  try {
    while (n < size) {
      n += co_await s.async_read_some(asio::buffer(in.data() + n, std::min(chunk, size - n)), asio::use_awaitable);
      if (pause > taskio::clock::duration::zero()) co_await taskio::sleep(pause);
    }
  } catch (const boost::system::system_error&) {
    if (taskio::is_cancellation(std::current_exception())) throw;
  }
  co_return n;
}

asio::awaitable<void> write_counted(tcp::socket& s, std::span<const char> out, std::size_t& sent) {
  sent = co_await write_fully(s, out);
}

enum class behaviour { echo, abrupt, idle, slow_reader, half_read, count };

/// One client connection; returns false when the server closed it early.
asio::awaitable<bool> client_session(tcp::socket& s, behaviour b, std::mt19937& rng, soak_report& r,
                                     const echo::options& opts) {
  std::vector<char> in;
  switch (b) {
    case behaviour::echo:
      for (int i = 1 + static_cast<int>(rng() % 20); i > 0; --i) {
        const auto out = random_message(rng, random_size(rng, 64 * 1024));
        const std::size_t sent = co_await write_fully(s, out);
        const std::size_t got = co_await read_fully(s, in, sent);
        r.check(out, in, got);
        if (got < out.size()) co_return false;
        ++r.echoes;
      }
      co_return true;
    case behaviour::abrupt: {
      co_await write_fully(s, random_message(rng, random_size(rng, 64 * 1024)));
      if (rng() % 2) s.set_option(tcp::socket::linger(true, 0));  // reset instead of FIN
      s.close();
      co_return true;
    }
    case behaviour::idle: {  // the server closes it after its idle timeout
      const std::size_t got =
          co_await taskio::wait_for(read_fully(s, in, 1), *opts.idle_timeout * 2 + std::chrono::seconds(1));
      if (got != 0) r.fail("idle client: data from an echo server");
      co_return false;
    }
    case behaviour::slow_reader: {  // writes and reads at once, the reader slowly
      const auto out = random_message(rng, 128 * 1024 + rng() % (384 * 1024));
      std::size_t sent = 0, got = 0;
      co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& g) -> asio::awaitable<void> {
        g.create_task(write_counted(s, out, sent));
        got = co_await read_fully(s, in, out.size(), 4096, std::chrono::milliseconds(1));
      });
      r.check(out, in, got);
      if (got < out.size() || sent < out.size()) co_return false;
      ++r.echoes;
      co_return true;
    }
    case behaviour::half_read: {
      const auto out = random_message(rng, 2 + random_size(rng, 64 * 1024));
      const std::size_t sent = co_await write_fully(s, out);
      const std::size_t got = co_await read_fully(s, in, sent / 2);
      r.check(out, in, got);
      co_return got == sent / 2;
    }
    case behaviour::count: break;
  }
  co_return true;
}

/// A client: connects, plays `b`, counts what happened.
asio::awaitable<void> client(tcp::endpoint server, behaviour b, std::uint32_t seed, soak_report& r,
                             const echo::options& opts) {
  struct live {
    int& n;
    explicit live(int& c) : n(++c) {}
    ~live() { --n; }
  } counted(r.live_clients);
  std::mt19937 rng(seed);
  std::string session;
  try {
    tcp::socket s(co_await asio::this_coro::executor);
    co_await s.async_connect(server, asio::use_awaitable);
    session = "conn-" + echo::to_string(s.local_endpoint());
    ++r.clients;
    if (!co_await client_session(s, b, rng, r, opts)) {
      ++r.closed_by_server;
      if (b != behaviour::idle && !r.cancelled_sessions.contains(session))
        r.fail(session + ": closed by the server, which was not cancelled");
    }
  } catch (const std::exception& e) {
    if (taskio::is_cancellation(std::current_exception())) throw;  // an aborted socket operation
    r.fail(session + ": " + e.what());
  }
}

/// Cancels one random server session (a "conn-..." task) and notes its name.
void cancel_a_session(std::mt19937& rng, soak_report& r) {
  std::vector<taskio::task_ref> sessions;
  for (auto& t : taskio::all_tasks())
    if (t.get_name().rfind("conn-", 0) == 0) sessions.push_back(t);
  if (sessions.empty()) return;
  auto& victim = sessions[rng() % sessions.size()];
  r.cancelled_sessions.insert(victim.get_name());
  if (victim.cancel("soak")) ++r.session_cancels;
}

struct soak_result {
  soak_report report;
  echo::server_counts server;
  long rss_warm = 0, rss_end = 0;
  std::size_t tasks_baseline = 0, tasks_end = 0;
  std::size_t tasks_left_after_server = 0;
};

asio::awaitable<void> soak_run(taskio::clock::duration total, soak_result& res) {
  soak_report& r = res.report;
  const echo::options opts{.idle_timeout = std::chrono::seconds(2), .max_connections = 1000,
                           .drain_timeout = std::chrono::seconds(1)};
  echo::server_stats stats;
  tcp::acceptor acceptor =
      echo::listen(co_await asio::this_coro::executor, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  const tcp::endpoint address = acceptor.local_endpoint();
  auto server = taskio::create_task(echo::serve(std::move(acceptor), opts, stats), "server");
  co_await taskio::yield_now();
  res.tasks_baseline = taskio::all_tasks().size();  // this task and the server

  const taskio::clock::time_point start = taskio::loop_time();
  const taskio::clock::time_point warm = start + std::min<taskio::clock::duration>(total / 5, std::chrono::seconds(4));
  std::mt19937 rng(7);
  std::uint64_t ticks = 0;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& clients) -> asio::awaitable<void> {
    while (taskio::loop_time() - start < total) {
      for (int i = 0; i < 2 && r.live_clients < 24; ++i) {  // at most ~400 new connections per second
        const auto b = static_cast<behaviour>(rng() % static_cast<unsigned>(behaviour::count));
        auto c = clients.create_task(client(address, b, rng(), r, opts));
        if (rng() % 6 == 0)  // a random cancellation of the client, within 200 ms
          taskio::call_later(std::chrono::microseconds(rng() % 200'000), [c, &r] {
            if (c.cancel("soak")) ++r.client_cancels;
          });
      }
      if (rng() % 10 == 0) cancel_a_session(rng, r);
      if (++ticks % 100 == 0) r.collect_logs();
      if (!res.rss_warm && taskio::loop_time() >= warm) res.rss_warm = resident_bytes();
      co_await taskio::sleep(std::chrono::milliseconds(5));
    }
  });
  // The clients are done; their sessions end once they see the close.
  for (int i = 0; i < 500 && stats.active.value() > 0; ++i) co_await taskio::sleep(std::chrono::milliseconds(10));
  res.rss_end = resident_bytes();
  res.tasks_end = taskio::all_tasks().size();
  res.server = stats.counts();
  server.cancel();
  co_await catch_exception(server.async_wait());
  res.tasks_left_after_server = taskio::all_tasks().size();
  r.collect_logs();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(soak)

BOOST_AUTO_TEST_CASE(echo_server_under_random_clients_and_cancellations) {
  clear_logs();
  const auto total = soak_duration();
  soak_result res;
  run_real(soak_run(total, res));
  const soak_report& r = res.report;
  const double growth = res.rss_warm ? double(res.rss_end - res.rss_warm) / double(res.rss_warm) : 0.0;
  BOOST_TEST_MESSAGE("soak " << total.count() << " s: " << r.clients << " clients, " << r.echoes << " echoes, "
                             << r.bytes_checked << " bytes checked, " << r.mismatches << " mismatches, "
                             << r.closed_by_server << " closed by the server, " << r.client_cancels
                             << " clients and " << r.session_cancels << " sessions cancelled, " << r.unexpected
                             << " unexpected errors");
  BOOST_TEST_MESSAGE("server: " << res.server);
  BOOST_TEST_MESSAGE("resident memory after warm-up " << res.rss_warm / 1024 << " KiB, at the end "
                                                      << res.rss_end / 1024 << " KiB (" << growth * 100 << "%)");
  BOOST_TEST_MESSAGE("live tasks: baseline " << res.tasks_baseline << ", at the end " << res.tasks_end
                                             << ", after the server " << res.tasks_left_after_server);
  BOOST_TEST(r.clients > 0u);
  BOOST_TEST(r.echoes > 0u);
  BOOST_TEST(r.client_cancels > 0u);
  BOOST_TEST(r.session_cancels > 0u);
  BOOST_TEST(r.mismatches == 0u);
  BOOST_TEST(r.unexpected == 0u, "unexpected: " << impl::join(r.errors));
  BOOST_TEST(res.server.active == 0u);
  BOOST_TEST(res.tasks_end == res.tasks_baseline);
  BOOST_TEST(res.tasks_left_after_server == 1u);  // this task
  BOOST_TEST(r.warnings.empty(), "taskio records: " << impl::join(r.warnings));
#if defined(__SANITIZE_ADDRESS__)
  BOOST_TEST_MESSAGE("(AddressSanitizer build: its quarantine grows the resident memory; not checked)");
#else
  const long slack = std::max<long>(res.rss_warm / 5, 16L << 20);  // 20 %, or 16 MiB
  BOOST_TEST(res.rss_end - res.rss_warm < slack, "resident memory grew by " << (res.rss_end - res.rss_warm) / 1024
                                                                          << " KiB");
#endif
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace taskio_test::reliability
