// Reliability: every primitive, cancelled at every point. Each scenario
// below is run by the harness (harness.hpp) undisturbed, then cancelled
// from outside and by a timeout at every loop iteration it goes through
// (and, in virtual time, with a deadline at every time it reaches); after
// each run the harness checks that nothing is left behind. A failure names
// the scenario, the interference and the iteration.
#include "harness.hpp"

#include <taskio/to_thread.hpp>

#include "echo/session.hpp"
#include "../task_group_support.hpp"

#include <boost/test/data/monomorphic.hpp>
#include <boost/test/data/test_case.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace taskio_test::reliability {
namespace {

using taskio::task_group;
using taskio::timeout_scope;
using outcome_check = std::function<bool(const std::exception_ptr&)>;

// --- building blocks (each coroutine counts its frame) ------------------------

asio::awaitable<int> value_after(taskio::clock::duration d, int v) {
  live_frame here;
  co_await taskio::sleep(d);
  co_return v;
}

asio::awaitable<void> fail_after(taskio::clock::duration d, std::string what) {
  live_frame here;
  co_await taskio::sleep(d);
  throw std::runtime_error(what);
}

/// n bare yields: n iterations at one loop time.
asio::awaitable<int> yields(int n) {
  live_frame here;
  for (int i = 0; i < n; ++i) co_await taskio::yield_now();
  co_return n;
}

/// A task awaiting a task awaiting a task ... `depth` deep.
asio::awaitable<int> chain(int depth) {
  live_frame here;
  if (depth == 0) {
    co_await taskio::sleep(1s);
    co_return co_await yields(2) - 2;
  }
  auto next = taskio::create_task(chain(depth - 1));
  co_return 1 + co_await next.async_wait();
}

// --- outcome checks -------------------------------------------------------------

/// A std::runtime_error whose what() is `text`.
outcome_check fails_with(std::string text) {
  return [text](const std::exception_ptr& e) { return e && error_text(e) == text; };
}

/// An exception_group whose members read `members` (groups::members).
outcome_check group_of(std::string members) {
  return [members](const std::exception_ptr& e) {
    try {
      if (e) std::rethrow_exception(e);
    } catch (const taskio::exception_group&) {
      return groups::members(e) == members;
    } catch (...) {
    }
    return false;
  };
}

/// The body of a scenario that runs `body` and, if it fails, cancels and
/// awaits `tasks` before rethrowing (a task's own structured cleanup).
template <class Body>
asio::awaitable<void> owning(std::vector<taskio::task_ref> tasks, Body body) {
  std::exception_ptr e;
  try {
    co_await body();
  } catch (...) {
    e = std::current_exception();
  }
  if (!e) co_return;
  co_await cancel_and_wait(std::move(tasks));
  std::rethrow_exception(e);
}

// --- plain tasks ------------------------------------------------------------------

asio::awaitable<void> task_awaits_children() {
  live_frame here;
  auto a = taskio::create_task(value_after(1s, 1), "a");
  auto b = taskio::create_task(value_after(2s, 2), "b");
  std::vector<taskio::task_ref> owned{a, b};
  co_await owning(std::move(owned), [&]() -> asio::awaitable<void> {
    const int x = co_await a.async_wait();
    const int y = co_await b.async_wait();
    BOOST_TEST(x + y == 3);
  });
}

asio::awaitable<void> chain_of_awaits() {
  live_frame here;
  BOOST_TEST(co_await chain(3) == 3);
}

asio::awaitable<void> future_set_by_a_callback() {
  live_frame here;
  taskio::future<int> f;
  const taskio::timer_handle h = taskio::call_later(1s, [f] {
    if (!f.done()) f.set_result(7);
  });
  std::exception_ptr e;
  try {
    BOOST_TEST(co_await f.async_wait() == 7);
  } catch (...) {
    e = std::current_exception();
  }
  h.cancel();
  if (e) std::rethrow_exception(e);
}

asio::awaitable<void> sleeps_and_yields() {
  live_frame here;
  co_await taskio::sleep(1s);
  co_await yields(3);
  co_await taskio::sleep_until(taskio::loop_time() + 500ms);
  co_await taskio::sleep(0s);
}

// --- task groups --------------------------------------------------------------------

asio::awaitable<void> task_group_of_children() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    auto a = tg.create_task(value_after(1s, 1));
    tg.create_task(value_after(3s, 3));
    tg.create_task(yields(3));
    BOOST_TEST(co_await a.async_wait() == 1);
    co_await taskio::sleep(1s);
  });
}

asio::awaitable<void> inner_group() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    tg.create_task(value_after(1s, 1));
    tg.create_task(value_after(2s, 2));
    co_await taskio::sleep(500ms);
  });
}

asio::awaitable<void> nested_task_groups() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    tg.create_task(inner_group());
    tg.create_task(value_after(1500ms, 3));
    co_await inner_group();
  });
}

asio::awaitable<void> task_group_with_failing_child() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    tg.create_task(fail_after(2s, "boom"));
    tg.create_task(value_after(5s, 1));
    co_await taskio::sleep(10s);
  });
}

asio::awaitable<void> child_fails_while_the_group_exits() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    tg.create_task(value_after(3s, 1));
    tg.create_task(fail_after(1s, "boom"));
    co_return;
  });
}

asio::awaitable<void> group_child_running_a_failing_group() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    tg.create_task([]() -> asio::awaitable<void> {
      live_frame here;
      co_await taskio::async_with(task_group{}, [](task_group& inner) -> asio::awaitable<void> {
        live_frame here;
        inner.create_task(fail_after(1s, "boom"));
        inner.create_task(value_after(4s, 1));
        co_await taskio::sleep(5s);
      });
    }());
    tg.create_task(value_after(3s, 2));
    co_await taskio::sleep(6s);
  });
}

asio::awaitable<void> child_creates_a_sibling() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    tg.create_task([](task_group& tg) -> asio::awaitable<void> {
      live_frame here;
      co_await taskio::sleep(1s);
      tg.create_task(value_after(1s, 1));
    }(tg));
    co_return;
  });
}

// --- timeouts -------------------------------------------------------------------------

/// Runs `body` under `scope`; true when it raised timeout_error.
template <class Body>
asio::awaitable<bool> timed_out(timeout_scope& scope, Body body) {
  try {
    co_await taskio::async_with(scope, [&body](timeout_scope&) { return body(); });
  } catch (const taskio::timeout_error&) {
    co_return true;
  }
  co_return false;
}

asio::awaitable<void> timeout_expiring_inside() {
  live_frame here;
  auto scope = taskio::timeout(1s);
  BOOST_TEST(co_await timed_out(scope, [] { return value_after(5s, 1); }));
  co_await taskio::sleep(1s);
}

asio::awaitable<void> nested_timeouts() {
  live_frame here;
  auto outer = taskio::timeout(3s);
  const bool outer_expired = co_await timed_out(outer, [&]() -> asio::awaitable<void> {
    live_frame here;
    auto inner = taskio::timeout(1s);
    BOOST_TEST(co_await timed_out(inner, [] { return value_after(2s, 1); }));
    BOOST_TEST(taskio::current_task().cancelling() == 0);
    co_await value_after(5s, 2);
  });
  BOOST_TEST(outer_expired);
}

asio::awaitable<void> nested_timeouts_expiring_together() {
  live_frame here;
  auto outer = taskio::timeout(1s);
  auto inner = taskio::timeout(1s);
  BOOST_TEST(co_await timed_out(outer, [&]() -> asio::awaitable<void> {
    live_frame here;
    co_await taskio::async_with(inner, [](timeout_scope&) { return value_after(5s, 1); });
  }));
  BOOST_TEST(outer.expired());
  BOOST_TEST(inner.expired());
}

asio::awaitable<void> timeout_rescheduled() {
  live_frame here;
  auto scope = taskio::timeout(1s);
  BOOST_TEST(!co_await timed_out(scope, [&]() -> asio::awaitable<void> {
    live_frame here;
    co_await taskio::sleep(500ms);
    scope.reschedule(taskio::loop_time() + 2s);
    co_await taskio::sleep(1s);
  }));
}

asio::awaitable<void> timeout_shorthand() {
  live_frame here;
  BOOST_TEST(co_await taskio::timeout(2s, value_after(1s, 4)) == 4);
}

// --- wait_for ---------------------------------------------------------------------------

asio::awaitable<void> wait_for_completing() {
  live_frame here;
  BOOST_TEST(co_await taskio::wait_for(value_after(1s, 1), 5s) == 1);
  auto t = taskio::create_task(value_after(1s, 2));
  BOOST_TEST(co_await taskio::wait_for(t, 5s) == 2);
}

asio::awaitable<void> wait_for_timing_out() {
  live_frame here;
  BOOST_CHECK_THROW(co_await taskio::wait_for(value_after(5s, 1), 1s), taskio::timeout_error);
  auto t = taskio::create_task(value_after(5s, 2));
  BOOST_CHECK_THROW(co_await taskio::wait_for(t, 1s), taskio::timeout_error);
  BOOST_TEST(t.cancelled());
}

asio::awaitable<void> wait_for_zero() {
  live_frame here;
  BOOST_CHECK_THROW(co_await taskio::wait_for(value_after(1s, 1), 0s), taskio::timeout_error);
  auto t = taskio::create_task(value_after(1s, 1));
  std::vector<taskio::task_ref> owned{t};
  co_await owning(std::move(owned), [&]() -> asio::awaitable<void> {
    BOOST_CHECK_THROW(co_await taskio::wait_for(t, 0s), taskio::timeout_error);
    BOOST_TEST(t.cancelled());
  });
}

// --- shield --------------------------------------------------------------------------------

/// Awaits `shielded` through shield(); if that is interrupted, still waits
/// for the shielded work to finish (the "commit" pattern) before rethrowing.
template <class Await>
asio::awaitable<void> finish_commit(taskio::task<int> commit, Await await) {
  std::exception_ptr e;
  try {
    co_await await();
  } catch (...) {
    e = std::current_exception();
  }
  BOOST_TEST(co_await commit.async_wait() == 5);
  BOOST_TEST(commit.cancelling() == 0);
  if (e) std::rethrow_exception(e);
}

asio::awaitable<void> shielded_commit() {
  live_frame here;
  auto commit = taskio::create_task(value_after(2s, 5), "commit");
  co_await finish_commit(commit, [&]() -> asio::awaitable<void> {
    BOOST_TEST(co_await taskio::shield(commit) == 5);
  });
}

asio::awaitable<void> shield_under_wait_for() {
  live_frame here;
  auto commit = taskio::create_task(value_after(3s, 5), "commit");
  co_await finish_commit(commit, [&]() -> asio::awaitable<void> {
    BOOST_CHECK_THROW(co_await taskio::wait_for(taskio::shield(commit), 1s), taskio::timeout_error);
  });
}

// --- gather ----------------------------------------------------------------------------------

asio::awaitable<void> gather_awaitables() {
  live_frame here;
  auto [a, b, c] = co_await taskio::gather(value_after(1s, 1), value_after(2s, 2), yields(3));
  BOOST_TEST(a + b + c == 6);
}

asio::awaitable<void> gather_return_exceptions() {
  live_frame here;
  auto [a, b, c] = co_await taskio::gather(taskio::return_exceptions, value_after(1s, 1), fail_after(2s, "boom"),
                                           value_after(3s, 3));
  BOOST_TEST(a.value() == 1);
  BOOST_TEST(error_text(b.exception()) == "boom");
  BOOST_TEST(c.value() == 3);
}

asio::awaitable<void> gather_failing_child() {
  live_frame here;
  auto a = taskio::create_task(value_after(5s, 1));
  auto b = taskio::create_task(fail_after(1s, "boom"));
  std::vector<taskio::task_ref> owned{a, b};
  co_await owning(std::move(owned), [&]() -> asio::awaitable<void> { co_await taskio::gather(a, b); });
}

asio::awaitable<void> gather_range() {
  live_frame here;
  std::vector<taskio::task<int>> ts;
  for (int i = 1; i <= 3; ++i) ts.push_back(taskio::create_task(value_after(i * 1s, i)));
  const std::vector<int> v = co_await taskio::gather(ts);
  BOOST_TEST(v == (std::vector<int>{1, 2, 3}));
}

// --- wait and as_completed (children owned by a task group) ----------------------------------

asio::awaitable<void> wait_first_completed() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    std::vector<taskio::task<int>> ts{tg.create_task(value_after(2s, 1)), tg.create_task(value_after(1s, 2)),
                                      tg.create_task(value_after(3s, 3))};
    auto [done, pending] =
        co_await taskio::wait(ts, {.timeout = std::nullopt, .return_when = taskio::return_when::first_completed});
    BOOST_TEST(done.size() == 1u);
    for (auto& p : pending) p.cancel();
  });
}

asio::awaitable<void> wait_with_timeout() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    std::vector<taskio::task<int>> ts{tg.create_task(value_after(1s, 1)), tg.create_task(value_after(2s, 2)),
                                      tg.create_task(value_after(3s, 3))};
    auto [done, pending] = co_await taskio::wait(ts, {.timeout = 1500ms});
    BOOST_TEST(done.size() == 1u);
    for (auto& p : pending) p.cancel();
  });
}

asio::awaitable<void> wait_first_exception() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    std::vector<taskio::task_ref> ts{tg.create_task(value_after(3s, 1)), tg.create_task(fail_after(1s, "boom"))};
    co_await taskio::wait(ts, {.timeout = std::nullopt, .return_when = taskio::return_when::first_exception});
    co_await taskio::sleep(5s);  // interrupted by the group: its child failed
  });
}

asio::awaitable<void> as_completed_all() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    std::vector<taskio::task<int>> ts{tg.create_task(value_after(2s, 1)), tg.create_task(value_after(1s, 2)),
                                      tg.create_task(yields(3))};
    auto ac = taskio::as_completed(ts);
    int sum = 0;
    while (ac.has_next()) sum += co_await ac.next();
    BOOST_TEST(sum == 6);
  });
}

asio::awaitable<void> as_completed_with_timeout() {
  live_frame here;
  co_await taskio::async_with(task_group{}, [](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    std::vector<taskio::task<int>> ts{tg.create_task(value_after(1s, 1)), tg.create_task(value_after(3s, 3))};
    auto ac = taskio::as_completed(ts, 1500ms);
    BOOST_TEST(co_await ac.next() == 1);
    BOOST_CHECK_THROW(co_await ac.next(), taskio::timeout_error);
    for (auto& t : ts) t.cancel();
  });
}

// --- threads -----------------------------------------------------------------------------------

asio::awaitable<void> to_thread_call() {
  live_frame here;
  co_await taskio::sleep(1s);
  BOOST_TEST(co_await taskio::to_thread([] { return 6 * 7; }) == 42);
  co_await taskio::yield_now();
}

// --- the echo service's connection code ----------------------------------------------------------

using tcp = asio::ip::tcp;

asio::awaitable<void> echo_session(tcp::socket socket, const echo::options& opts, echo::server_stats& stats) {
  live_frame here;
  examples::graceful_shutdown server(opts.drain_timeout);  // never stopped here
  echo::session s(std::move(socket), opts, stats, server);
  co_await s.run();
}

/// A connected pair of loopback TCP sockets: {client, server}.
asio::awaitable<std::pair<tcp::socket, tcp::socket>> socket_pair() {
  live_frame here;
  const auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acceptor(ex, tcp::endpoint(asio::ip::address_v4::loopback(), 0));
  tcp::socket client(ex);
  co_await client.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
  tcp::socket server = co_await acceptor.async_accept(asio::use_awaitable);
  co_return std::pair(std::move(client), std::move(server));
}

/// A session (server side) and a client sending three messages, one larger
/// than the session's buffer, and checking every echoed byte.
asio::awaitable<void> echo_connection() {
  live_frame here;
  auto [client, server] = co_await socket_pair();
  const echo::options opts{.idle_timeout = std::nullopt, .drain_timeout = 1s};
  echo::server_stats stats;
  co_await taskio::async_with(task_group{}, [&](task_group& tg) -> asio::awaitable<void> {
    live_frame here;
    tg.create_task(echo_session(std::move(server), opts, stats), "session");
    for (std::size_t size : {5u, 100u, 40000u}) {
      std::string out(size, '\0'), in(size, '\0');
      for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<char>(i * 7 + size);
      co_await asio::async_write(client, asio::buffer(out), asio::use_awaitable);
      co_await asio::async_read(client, asio::buffer(in), asio::use_awaitable);
      BOOST_TEST((in == out), "echo of " << size << " bytes differs");
    }
    client.shutdown(tcp::socket::shutdown_send);  // the session ends at end of file
  });
  BOOST_TEST(stats.active.value() == 0u);
  BOOST_TEST(stats.bytes_in.value() == stats.bytes_out.value());
}

// --- the scenario table ----------------------------------------------------------------------------

const std::vector<scenario>& scenarios() {
  static const std::vector<scenario> all = [] {
    std::vector<scenario> v{
        {"task_awaits_children", task_awaits_children},
        {"chain_of_awaits", chain_of_awaits},
        {"future_set_by_a_callback", future_set_by_a_callback},
        {"sleeps_and_yields", sleeps_and_yields},
        {"task_group_of_children", task_group_of_children},
        {"nested_task_groups", nested_task_groups},
        {"task_group_with_failing_child", task_group_with_failing_child, group_of("boom")},
        {"child_fails_while_the_group_exits", child_fails_while_the_group_exits, group_of("boom")},
        {"group_child_running_a_failing_group", group_child_running_a_failing_group,
         group_of("[unhandled errors in a TaskGroup: boom]")},
        {"child_creates_a_sibling", child_creates_a_sibling},
        {"timeout_expiring_inside", timeout_expiring_inside},
        {"nested_timeouts", nested_timeouts},
        {"nested_timeouts_expiring_together", nested_timeouts_expiring_together},
        {"timeout_rescheduled", timeout_rescheduled},
        {"timeout_shorthand", timeout_shorthand},
        {"wait_for_completing", wait_for_completing},
        {"wait_for_timing_out", wait_for_timing_out},
        {"wait_for_zero", wait_for_zero},
        {"shielded_commit", shielded_commit},
        {"shield_under_wait_for", shield_under_wait_for},
        {"gather_awaitables", gather_awaitables},
        {"gather_return_exceptions", gather_return_exceptions},
        {"gather_failing_child", gather_failing_child, fails_with("boom")},
        {"gather_range", gather_range},
        {"wait_first_completed", wait_first_completed},
        {"wait_with_timeout", wait_with_timeout},
        {"wait_first_exception", wait_first_exception, group_of("boom")},
        {"as_completed_all", as_completed_all},
        {"as_completed_with_timeout", as_completed_with_timeout},
    };
    v.push_back({.name = "to_thread_call", .body = to_thread_call, .deterministic = false});
    v.push_back(
        {.name = "echo_connection", .body = echo_connection, .virtual_time = false, .deterministic = false});
    return v;
  }();
  return all;
}

std::vector<std::string> scenario_names() {
  std::vector<std::string> names;
  for (const auto& s : scenarios()) names.push_back(s.name);
  return names;
}

const scenario& find(const std::string& name) {
  const auto& all = scenarios();
  return *std::find_if(all.begin(), all.end(), [&](const scenario& s) { return s.name == name; });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(cancel_every_point)

BOOST_DATA_TEST_CASE(scenario_survives_cancellation_at_every_point, boost::unit_test::data::make(scenario_names()),
                     name) {
  sweep(find(name));
}

BOOST_AUTO_TEST_SUITE_END()

}  // namespace taskio_test::reliability
