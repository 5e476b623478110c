// Unit tests of examples::graceful_shutdown (example/common/graceful_shutdown.hpp),
// the graceful stop echo_server and chat_server share, in virtual time:
// "connections" are coroutines whose reads and work are sleeps, so every
// step of the stop (refuse, finish, drain deadline, cancel) happens at an
// exact loop time. The same stop on real processes and sockets:
// integration/graceful_shutdown_process.cpp.
#include "common/graceful_shutdown.hpp"  // first: the header is self-contained

#include "../test_support.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

using namespace taskio_test;

namespace {

using tcp = asio::ip::tcp;
using examples::graceful_shutdown;

/// The loop time as "@1500" (named apart from task_group_support.hpp's at(): unity batches).
std::string loop_time_mark() { return "@" + std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(vt()).count()); }

/// A listening socket nobody connects to: serve() must close it.
asio::awaitable<tcp::acceptor> listening() {
  co_return tcp::acceptor(co_await asio::this_coro::executor, {asio::ip::address_v4::loopback(), 0});
}

/// Starts `connections`, then "accepts" (sleeps) until the stop cancels it.
asio::awaitable<void> accept_loop(graceful_shutdown& s, std::vector<asio::awaitable<void>> connections, trace& tr) {
  for (std::size_t i = 0; i < connections.size(); ++i) s.start(std::move(connections[i]), "conn-" + std::to_string(i));
  try {
    co_await taskio::sleep(1000h);
  } catch (const taskio::cancelled_error&) {
    tr("accept:cancelled" + loop_time_mark());
    throw;
  }
}

/// A connection that waits for a request that never comes.
asio::awaitable<void> idle(graceful_shutdown& s, trace& tr, std::string name, const tcp::acceptor& acceptor) {
  const std::optional<int> request = co_await s.unless_stopping(taskio::sleep(1h, 1));
  BOOST_TEST(!request.has_value());
  BOOST_TEST(!acceptor.is_open());  // step 1 came first
  BOOST_TEST(s.stopping());
  tr(name + ":stopped" + loop_time_mark());
}

/// A connection that reads a request at `read_at`, works on it for `work`
/// (outside unless_stopping: the stop does not interrupt it), replies, and
/// reads again.
asio::awaitable<void> busy(graceful_shutdown& s, trace& tr, std::string name, taskio::clock::duration read_at,
                           taskio::clock::duration work) {
  for (;;) {
    const std::optional<std::string> request = co_await s.unless_stopping(taskio::sleep(read_at, std::string("req")));
    if (!request) {
      tr(name + ":stopped" + loop_time_mark());
      co_return;
    }
    tr(name + ":read" + loop_time_mark());
    try {
      co_await taskio::sleep(work);
    } catch (const taskio::cancelled_error& e) {
      tr(name + ":cancelled(" + e.message() + ")" + loop_time_mark());
      throw;
    }
    tr(name + ":replied" + loop_time_mark());
  }
}

std::vector<asio::awaitable<void>> connections(asio::awaitable<void> a) {
  std::vector<asio::awaitable<void>> v;
  v.push_back(std::move(a));
  return v;
}

std::vector<asio::awaitable<void>> connections(asio::awaitable<void> a, asio::awaitable<void> b) {
  std::vector<asio::awaitable<void>> v = connections(std::move(a));
  v.push_back(std::move(b));
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(graceful_shutdown)

// A stop signal (the serving task's cancellation): the accept loop ends and
// the acceptor closes at once, idle connections end at once, and serve()
// rethrows the cancellation (main's stop signal) when they are done.
TASKIO_TEST_CASE(a_stop_closes_the_acceptor_and_ends_idle_connections_at_once) {
  trace tr;
  examples::graceful_shutdown s(2s);
  tcp::acceptor acceptor = co_await listening();
  auto server = taskio::create_task(
      s.serve(acceptor, accept_loop(s, connections(idle(s, tr, "a", acceptor), idle(s, tr, "b", acceptor)), tr)));
  co_await taskio::sleep(1s);
  BOOST_TEST(acceptor.is_open());
  server.cancel("SIGTERM");
  const std::exception_ptr e = co_await catch_exception(server.async_wait());
  BOOST_TEST(cancel_message(e) == "SIGTERM");
  BOOST_TEST(server.cancelled());
  BOOST_TEST(tr.str() == "accept:cancelled@1000 a:stopped@1000 b:stopped@1000");
  BOOST_TEST(s.cancelled() == 0u);
}

// A connection that has read a request when the stop comes finishes it
// (replies), reads nothing more, and ends; serve() waits for it.
TASKIO_TEST_CASE(a_connection_finishes_the_request_it_has_read_then_ends) {
  trace tr;
  examples::graceful_shutdown s(2s);
  tcp::acceptor acceptor = co_await listening();
  auto server = taskio::create_task(s.serve(acceptor, accept_loop(s, connections(busy(s, tr, "a", 100ms, 500ms)), tr)));
  co_await taskio::sleep(300ms);  // "a" read at 100 ms, works until 600 ms
  server.cancel();
  co_await catch_exception(server.async_wait());
  BOOST_TEST(server.cancelled());
  BOOST_TEST(tr.str() == "a:read@100 accept:cancelled@300 a:replied@600 a:stopped@600");
  BOOST_TEST(vt() == 600ms);
  BOOST_TEST(s.cancelled() == 0u);
}

// A connection still busy at the drain deadline is cancelled then, with a
// message naming the deadline; serve() ends once it has ended.
TASKIO_TEST_CASE(a_connection_past_the_drain_deadline_is_cancelled) {
  trace tr;
  examples::graceful_shutdown s(2s);
  tcp::acceptor acceptor = co_await listening();
  auto server = taskio::create_task(s.serve(
      acceptor, accept_loop(s, connections(busy(s, tr, "slow", 100ms, 1h), busy(s, tr, "quick", 100ms, 1s)), tr)));
  co_await taskio::sleep(500ms);
  server.cancel();
  co_await catch_exception(server.async_wait());
  BOOST_TEST(tr.str() ==
             "slow:read@100 quick:read@100 accept:cancelled@500 quick:replied@1100 quick:stopped@1100 "
             "slow:cancelled(graceful_shutdown: the drain deadline passed)@2500");
  BOOST_TEST(vt() == 2500ms);
  BOOST_TEST(s.cancelled() == 1u);
}

// stop() is the same stop, but serve() then returns normally, and the task
// running it is left with no cancellation request.
TASKIO_TEST_CASE(stop_drains_and_serve_returns) {
  trace tr;
  examples::graceful_shutdown s(2s);
  tcp::acceptor acceptor = co_await listening();
  auto server = taskio::create_task([&]() -> asio::awaitable<int> {
    co_await s.serve(acceptor, accept_loop(s, connections(busy(s, tr, "a", 100ms, 500ms), idle(s, tr, "b", acceptor)), tr));
    co_return taskio::current_task().cancelling();
  });
  co_await taskio::sleep(300ms);
  BOOST_TEST(!s.stopping());
  s.stop();
  s.stop();  // idempotent
  const int cancelling = co_await server.async_wait();
  BOOST_TEST(cancelling == 0);
  BOOST_TEST(!server.cancelled());
  BOOST_TEST(tr.str() == "a:read@100 accept:cancelled@300 b:stopped@300 a:replied@600 a:stopped@600");
}

// stop() before serve(): serve() never runs the accept loop and returns.
TASKIO_TEST_CASE(stop_before_serve_returns_at_once) {
  trace tr;
  examples::graceful_shutdown s(2s);
  tcp::acceptor acceptor = co_await listening();
  s.stop();
  co_await s.serve(acceptor, accept_loop(s, {}, tr));
  BOOST_TEST(tr.str() == "");
  BOOST_TEST(!acceptor.is_open());
  BOOST_TEST(vt() == 0s);
}

// A second cancellation during the drain skips the rest of it: the
// connections left are cancelled at once.
TASKIO_TEST_CASE(a_cancellation_during_the_drain_cancels_the_rest_at_once) {
  trace tr;
  examples::graceful_shutdown s(10s);
  tcp::acceptor acceptor = co_await listening();
  auto server = taskio::create_task(s.serve(acceptor, accept_loop(s, connections(busy(s, tr, "a", 100ms, 1h)), tr)));
  co_await taskio::sleep(500ms);
  server.cancel("first");
  co_await taskio::sleep(1s);
  server.cancel("second");
  const std::exception_ptr e = co_await catch_exception(server.async_wait());
  BOOST_TEST(taskio::is_cancellation(e));
  BOOST_TEST(tr.str() == "a:read@100 accept:cancelled@500 a:cancelled()@1500");
  BOOST_TEST(vt() == 1500ms);
}

// The accept loop failing is a stop too: the connections drain, then serve()
// rethrows the failure.
TASKIO_TEST_CASE(an_accept_loop_failure_stops_and_is_rethrown_after_the_drain) {
  trace tr;
  examples::graceful_shutdown s(2s);
  tcp::acceptor acceptor = co_await listening();
  auto failing = [&]() -> asio::awaitable<void> {
    s.start(busy(s, tr, "a", 100ms, 500ms), "a");
    co_await taskio::sleep(200ms);
    throw std::runtime_error("accept: boom");
  };
  const std::exception_ptr e = co_await catch_exception(s.serve(acceptor, failing()));
  BOOST_TEST(what_of(e) == "accept: boom");
  BOOST_TEST(tr.str() == "a:read@100 a:replied@600 a:stopped@600");
  BOOST_TEST(!acceptor.is_open());
}

// Other cancellations pass through unless_stopping(): a connection's own
// timeout still ends it with timeout_error, and the server goes on.
TASKIO_TEST_CASE(other_cancellations_pass_through_unless_stopping) {
  trace tr;
  examples::graceful_shutdown s(2s);
  tcp::acceptor acceptor = co_await listening();
  auto timed = [&]() -> asio::awaitable<void> {
    try {
      co_await taskio::timeout(1s, s.unless_stopping(taskio::sleep(1h, 1)));
    } catch (const taskio::timeout_error&) {
      tr("timed:timeout" + loop_time_mark());
    }
  };
  auto server = taskio::create_task(s.serve(acceptor, accept_loop(s, connections(timed()), tr)));
  co_await taskio::sleep(2s);
  BOOST_TEST(!s.stopping());
  server.cancel();
  co_await catch_exception(server.async_wait());
  BOOST_TEST(tr.str() == "timed:timeout@1000 accept:cancelled@2000");
}

// A read that completed before the stop keeps its value; after the stop
// unless_stopping() does not start the read at all.
TASKIO_TEST_CASE(unless_stopping_after_the_stop_does_not_start_the_read) {
  trace tr;
  examples::graceful_shutdown s(2s);
  tcp::acceptor acceptor = co_await listening();
  auto reads_after_stop = [&]() -> asio::awaitable<void> {
    const std::optional<int> first = co_await s.unless_stopping(taskio::sleep(10ms, 7));
    BOOST_TEST((first == std::optional<int>(7)));
    co_await taskio::sleep(1s);  // the stop comes meanwhile
    auto never_started = [&]() -> asio::awaitable<void> {
      tr("started");
      co_return;
    };
    const bool read = co_await s.unless_stopping(never_started());
    BOOST_TEST(!read);
    tr("done" + loop_time_mark());
  };
  auto server = taskio::create_task(s.serve(acceptor, accept_loop(s, connections(reads_after_stop()), tr)));
  co_await taskio::sleep(500ms);
  server.cancel();
  co_await catch_exception(server.async_wait());
  BOOST_TEST(tr.str() == "accept:cancelled@500 done@1010");
}

// Misuse: a negative deadline, start() outside serve() or once stopping,
// serve() twice.
TASKIO_TEST_CASE(misuse_throws_naming_the_problem) {
  BOOST_CHECK_THROW(examples::graceful_shutdown(-1s), std::invalid_argument);
  examples::graceful_shutdown s(1s);
  try {
    s.start(taskio::sleep(1s), "x");
    BOOST_TEST(false);
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("not serving") != std::string::npos);
  }
  tcp::acceptor acceptor = co_await listening();
  trace tr;
  std::string refused;
  auto starts_after_stop = [&]() -> asio::awaitable<void> {
    (void)co_await s.unless_stopping(taskio::sleep(1h));
    try {
      s.start(taskio::sleep(1s), "late");
    } catch (const std::runtime_error& e) {
      refused = e.what();
    }
  };
  auto server = taskio::create_task(s.serve(acceptor, accept_loop(s, connections(starts_after_stop()), tr)));
  co_await taskio::sleep(1s);
  server.cancel();
  co_await catch_exception(server.async_wait());
  BOOST_TEST(refused.find("stopping") != std::string::npos);
  const std::exception_ptr twice = co_await catch_exception(s.serve(acceptor, accept_loop(s, {}, tr)));
  BOOST_TEST(what_of(twice).find("single use") != std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
