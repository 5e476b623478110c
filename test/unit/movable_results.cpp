// Results of any movable type (issue 11): move-only (std::unique_ptr, a real
// accepted tcp::socket) and non-default-constructible results through every
// API that carries a result: task, future, wait_for, shield, gather (both
// forms), wait, as_completed, task groups, run_coroutine_threadsafe,
// to_thread. Most cases would not compile without the fix; the second
// retrieval of a move-only result is invalid_state_error.
#include "../test_support.hpp"

#include <future>
#include <memory>
#include <optional>
#include <thread>

using namespace taskio_test;
using taskio::invalid_state_error;
using tcp = asio::ip::tcp;

namespace {

using up = std::unique_ptr<int>;

/// Copyable, no default constructor.
struct no_default {
  explicit no_default(int x) : v(x) {}
  int v;
};

/// Move-only and no default constructor.
struct move_only_no_default {
  explicit move_only_no_default(int x) : v(std::make_unique<int>(x)) {}
  move_only_no_default(move_only_no_default&&) = default;
  move_only_no_default& operator=(move_only_no_default&&) = default;
  std::unique_ptr<int> v;
};
static_assert(!std::is_default_constructible_v<move_only_no_default>);
static_assert(!std::is_copy_constructible_v<move_only_no_default>);

asio::awaitable<up> make_up(taskio::clock::duration d, int v) {
  co_await taskio::sleep(d);
  co_return std::make_unique<int>(v);
}
asio::awaitable<no_default> make_nd(taskio::clock::duration d, int v) {
  co_await taskio::sleep(d);
  co_return no_default(v);
}
asio::awaitable<move_only_no_default> make_mond(taskio::clock::duration d, int v) {
  co_await taskio::sleep(d);
  co_return move_only_no_default(v);
}
asio::awaitable<no_default> fail_nd(taskio::clock::duration d) {
  co_await taskio::sleep(d);
  throw std::runtime_error("no value");
}

bool taken_error(const invalid_state_error& e) {
  return std::string(e.what()).find("move-only result was already taken") != std::string::npos;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(movable_results)

TASKIO_TEST_CASE(task_move_only_result_is_moved_out_once) {
  auto t = taskio::create_task(make_up(1s, 7));
  up p = co_await t.async_wait();
  BOOST_TEST(*p == 7);
  BOOST_CHECK_EXCEPTION(t.result(), invalid_state_error, taken_error);
  auto e = co_await catch_exception(t.async_wait());
  BOOST_CHECK_EXCEPTION(std::rethrow_exception(e), invalid_state_error, taken_error);
}

TASKIO_TEST_CASE(task_move_only_result_first_retrieved_by_result) {
  auto t = taskio::create_task(make_up(1s, 8));
  co_await taskio::sleep(2s);
  up p = t.result();
  BOOST_TEST(*p == 8);
  BOOST_CHECK_EXCEPTION(t.result(), invalid_state_error, taken_error);
}

TASKIO_TEST_CASE(task_copyable_result_is_copied_to_every_awaiter) {
  auto t = taskio::create_task(make_nd(1s, 3));
  auto other = taskio::create_task([](taskio::task<no_default> t) -> asio::awaitable<int> {
    co_return (co_await t.async_wait()).v;
  }(t));
  no_default a = co_await t.async_wait();
  BOOST_TEST(a.v == 3);
  BOOST_TEST(co_await other.async_wait() == 3);
  BOOST_TEST(t.result().v == 3);
  BOOST_TEST((co_await t.async_wait()).v == 3);
}

TASKIO_TEST_CASE(task_without_default_constructor_fails_and_is_cancelled) {
  auto t = taskio::create_task(fail_nd(1s));
  auto e = co_await catch_exception(t.async_wait());
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::runtime_error);
  auto c = taskio::create_task(make_mond(1s, 1));
  co_await taskio::sleep(0s);
  c.cancel("stop");
  e = co_await catch_exception(c.async_wait());
  BOOST_TEST(cancel_message(e) == "stop");
}

TASKIO_TEST_CASE(move_only_no_default_through_task_and_callback_token) {
  auto t = taskio::create_task(make_mond(1s, 5));
  // a completion handler gets std::optional<T> for a T without a default constructor
  taskio::future<int> got;
  t.async_wait([got](std::exception_ptr e, std::optional<move_only_no_default> v) {
    got.set_result(e ? -1 : *v->v);
  });
  BOOST_TEST(co_await got.async_wait() == 5);
  auto f = taskio::create_task(fail_nd(1s));
  taskio::future<bool> failed;
  f.async_wait([failed](std::exception_ptr e, std::optional<no_default> v) { failed.set_result(e && !v); });
  BOOST_TEST(co_await failed.async_wait());
}

TASKIO_TEST_CASE(future_move_only_and_no_default) {
  taskio::future<up> f;
  taskio::call_later(1s, [f] { f.set_result(std::make_unique<int>(4)); });
  up p = co_await f.async_wait();
  BOOST_TEST(*p == 4);
  BOOST_CHECK_EXCEPTION(f.result(), invalid_state_error, taken_error);

  taskio::future<move_only_no_default> g;
  taskio::call_later(1s, [g] { g.set_result(move_only_no_default(6)); });
  move_only_no_default m = co_await g.async_wait();
  BOOST_TEST(*m.v == 6);
  auto e = co_await catch_exception(g.async_wait());
  BOOST_CHECK_EXCEPTION(std::rethrow_exception(e), invalid_state_error, taken_error);
}

TASKIO_TEST_CASE(wait_for_move_only_and_no_default) {
  up a = co_await taskio::wait_for(make_up(1s, 1), 5s);
  BOOST_TEST(*a == 1);
  up b = co_await taskio::wait_for(taskio::create_task(make_up(1s, 2)), 5s);
  BOOST_TEST(*b == 2);
  move_only_no_default c = co_await taskio::wait_for(make_mond(1s, 3), 5s);
  BOOST_TEST(*c.v == 3);
  auto done = taskio::create_task(make_up(0s, 4));
  co_await taskio::sleep(1s);
  up d = co_await taskio::wait_for(done, 0s);  // already done: its outcome
  BOOST_TEST(*d == 4);
  no_default n = co_await taskio::wait_for(make_nd(1s, 5), std::nullopt);
  BOOST_TEST(n.v == 5);
  auto e = co_await catch_exception(taskio::wait_for(make_mond(10s, 0), 1s));
  BOOST_CHECK_THROW(std::rethrow_exception(e), taskio::timeout_error);
}

TASKIO_TEST_CASE(shield_move_only_and_no_default) {
  up a = co_await taskio::shield(make_up(1s, 1));
  BOOST_TEST(*a == 1);
  auto t = taskio::create_task(make_mond(1s, 2));
  move_only_no_default b = co_await taskio::shield(t);
  BOOST_TEST(*b.v == 2);
  BOOST_CHECK_EXCEPTION(t.result(), invalid_state_error, taken_error);  // shield took it
  no_default c = co_await taskio::shield(taskio::create_task(make_nd(1s, 3)));
  BOOST_TEST(c.v == 3);
}

TASKIO_TEST_CASE(gather_move_only_and_no_default) {
  auto [a, b, c] = co_await taskio::gather(make_up(2s, 1), make_nd(1s, 2), make_mond(1s, 3));
  BOOST_TEST(*a == 1);
  BOOST_TEST(b.v == 2);
  BOOST_TEST(*c.v == 3);
  std::vector<asio::awaitable<up>> aws;
  aws.push_back(make_up(2s, 4));
  aws.push_back(make_up(1s, 5));
  std::vector<up> v = co_await taskio::gather(std::move(aws));
  BOOST_TEST(*v[0] == 4);
  BOOST_TEST(*v[1] == 5);
}

TASKIO_TEST_CASE(gather_return_exceptions_outcomes_in_a_task) {
  // outcome<T> has no default constructor: a task carrying gather's tuple of outcomes
  auto t = taskio::create_task(taskio::gather(taskio::return_exceptions, make_up(1s, 1), fail_nd(1s)));
  auto [a, b] = co_await t.async_wait();
  BOOST_TEST(a.has_value());
  BOOST_TEST(*std::move(a).value() == 1);
  BOOST_TEST(!b.has_value());
  BOOST_CHECK_THROW(b.value(), std::runtime_error);
  std::vector<taskio::task<move_only_no_default>> ts;
  ts.push_back(taskio::create_task(make_mond(1s, 2)));
  ts.push_back(taskio::create_task(make_mond(2s, 3)));
  auto outs = co_await taskio::gather(taskio::return_exceptions, ts);
  BOOST_TEST(*outs[0].value().v == 2);
  BOOST_TEST(*outs[1].value().v == 3);
}

TASKIO_TEST_CASE(a_move_only_child_passed_twice_to_gather_is_taken_once) {
  auto t = taskio::create_task(make_up(1s, 1));
  auto e = co_await catch_exception(taskio::gather(t, t));
  BOOST_CHECK_EXCEPTION(std::rethrow_exception(e), invalid_state_error, taken_error);
}

TASKIO_TEST_CASE(wait_and_as_completed_move_only) {
  std::vector<taskio::task<up>> ts;
  ts.push_back(taskio::create_task(make_up(2s, 1)));
  ts.push_back(taskio::create_task(make_up(1s, 2)));
  auto [done, pending] = co_await taskio::wait(ts);
  BOOST_TEST(done.size() == 2u);
  BOOST_TEST(*done[0].result() == 1);

  std::vector<asio::awaitable<move_only_no_default>> aws;
  aws.push_back(make_mond(2s, 10));
  aws.push_back(make_mond(1s, 20));
  std::vector<int> order;
  for (auto&& next : taskio::as_completed(std::move(aws))) order.push_back(*(co_await std::move(next)).v);
  BOOST_TEST((order == std::vector<int>{20, 10}));
}

TASKIO_TEST_CASE(task_group_children_move_only) {
  taskio::task<up> a;
  taskio::task<move_only_no_default> b;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    a = tg.create_task(make_up(1s, 1));
    b = tg.create_task(make_mond(2s, 2));
    co_return;
  });
  BOOST_TEST(*a.result() == 1);
  BOOST_TEST(*b.result().v == 2);
}

TASKIO_REAL_TIME_TEST_CASE(an_accepted_tcp_socket_is_a_task_result) {
  auto ex = co_await asio::this_coro::executor;
  tcp::acceptor acceptor(ex, {asio::ip::make_address("127.0.0.1"), 0});
  auto accepted = taskio::create_task(
      [](tcp::acceptor& acc) -> asio::awaitable<tcp::socket> { co_return co_await acc.async_accept(asio::use_awaitable); }(
          acceptor));
  tcp::socket client(ex);
  co_await client.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
  // through gather and wait_for too
  auto [server] = co_await taskio::gather(accepted);
  BOOST_CHECK_EXCEPTION(accepted.result(), invalid_state_error, taken_error);
  co_await asio::async_write(server, asio::buffer("ping", 4), asio::use_awaitable);
  char buf[4];
  co_await asio::async_read(client, asio::buffer(buf), asio::use_awaitable);
  BOOST_TEST(std::string(buf, 4) == "ping");

  auto second = taskio::create_task(
      [](tcp::acceptor& acc) -> asio::awaitable<tcp::socket> { co_return co_await acc.async_accept(asio::use_awaitable); }(
          acceptor));
  tcp::socket client2(ex);
  co_await client2.async_connect(acceptor.local_endpoint(), asio::use_awaitable);
  tcp::socket server2 = co_await taskio::wait_for(second, 30s);
  BOOST_TEST(server2.is_open());
  BOOST_TEST(server2.remote_endpoint() == client2.local_endpoint());
}

BOOST_AUTO_TEST_CASE(threadsafe_and_to_thread_move_only) {
  taskio::runner r({.handle_signals = false});
  auto ex = r.get_executor();
  auto work = asio::make_work_guard(ex);
  taskio::future<void> stop(ex);
  std::thread loop([&] { r.run(stop.async_wait()); });
  auto f = taskio::run_coroutine_threadsafe(
      []() -> asio::awaitable<move_only_no_default> {
        // to_thread with a move-only, non-default-constructible result
        co_return co_await taskio::to_thread([] { return move_only_no_default(9); });
      }(),
      ex);
  move_only_no_default v = f.result(std::chrono::seconds(30));
  BOOST_TEST(*v.v == 9);
  BOOST_CHECK_EXCEPTION(f.result(), invalid_state_error, taken_error);
  taskio::call_soon_threadsafe(ex, [stop] { stop.set_result(); });
  work.reset();
  loop.join();
}

BOOST_AUTO_TEST_SUITE_END()
