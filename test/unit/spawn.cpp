// taskio::spawn (issue 10) and callables kept alive by create_task(F, args...),
// create_task(ex, F, args...) and task_group::create_task(F, args...): the
// callable and its arguments live with the task (checked after the creator's
// scope ended: a captured std::string, a captured shared_ptr's use_count).
#include <taskio/spawn.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_future.hpp>

#include <future>
#include <memory>
#include <thread>

using namespace taskio_test;
using taskio::cancelled_error;

namespace {

/// Starts a task from a capturing lambda in a scope that ends at once; the
/// task checks its captures after a sleep (the scope's locals are gone).
taskio::task<std::string> spawn_capturing(std::weak_ptr<int>& watch) {
  std::string name = "captured-name";
  auto token = std::make_shared<int>(42);
  watch = token;
  return taskio::create_task([name, token]() -> asio::awaitable<std::string> {
    co_await taskio::sleep(1s);
    co_return name + ":" + std::to_string(*token) + ":" + std::to_string(token.use_count());
  });
}

}  // namespace

BOOST_AUTO_TEST_SUITE(spawn)

// ---- callables kept alive ------------------------------------------------

TASKIO_TEST_CASE(create_task_keeps_a_capturing_lambda_alive) {
  std::weak_ptr<int> watch;
  auto t = spawn_capturing(watch);
  BOOST_TEST(watch.use_count() == 1);  // held by the task alone
  BOOST_TEST(co_await t.async_wait() == "captured-name:42:1");
  co_await taskio::sleep(0s);
  BOOST_TEST(watch.expired());  // released with the task
}

TASKIO_TEST_CASE(create_task_with_arguments_on_an_executor) {
  auto ex = co_await asio::this_coro::executor;
  auto shared = std::make_shared<std::string>("arg");
  auto t = [&] {
    std::string local = "local";
    return taskio::create_task(
        ex,
        [local](std::shared_ptr<std::string> s, const std::string& suffix,
                std::unique_ptr<int> n) -> asio::awaitable<std::string> {
          co_await taskio::sleep(1s);
          co_return local + "/" + *s + "/" + suffix + "/" + std::to_string(*n);
        },
        shared, std::string("suffix"), std::make_unique<int>(5));
  }();
  BOOST_TEST(shared.use_count() == 2);  // the stored argument
  BOOST_TEST(co_await t.async_wait() == "local/arg/suffix/5");
}

TASKIO_TEST_CASE(a_callable_that_throws_fails_its_task) {
  auto t = taskio::create_task([]() -> asio::awaitable<int> { throw std::runtime_error("bad"); });
  auto e = co_await catch_exception(t.async_wait());
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::runtime_error);
}

TASKIO_TEST_CASE(task_group_create_task_keeps_the_callable) {
  std::weak_ptr<int> watch;
  std::string out;
  co_await taskio::async_with(taskio::task_group{}, [&](taskio::task_group& tg) -> asio::awaitable<void> {
    {
      auto token = std::make_shared<int>(7);
      watch = token;
      std::string name = "child";
      tg.create_task(
          [name, token](int add) -> asio::awaitable<void> {
            co_await taskio::sleep(1s);
            taskio::current_task();
            *token += add;
            co_return;
          },
          3);
      out = "created";
    }
    BOOST_TEST(!watch.expired());
    co_return;
  });
  BOOST_TEST(out == "created");
  co_await taskio::sleep(0s);
  BOOST_TEST(watch.expired());
}

// ---- spawn ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(spawn_detached_and_callback_on_an_io_context) {
  asio::io_context io;
  taskio::runner r({.handle_signals = false});
  auto ex = r.get_executor();
  std::string seen;
  int value = 0;
  std::string captured = "kept";
  taskio::spawn(ex, [captured, &seen]() -> asio::awaitable<void> {
    co_await taskio::sleep(1ms);
    seen = captured + " " + taskio::current_task().get_name().substr(0, 5);
  }, asio::detached);
  captured.clear();
  r.run([](asio::io_context::executor_type ex, int& value) -> asio::awaitable<void> {
    taskio::future<void> done;
    taskio::spawn(ex, value_after(2ms, 7), [&value, done](std::exception_ptr e, int v) {
      value = e ? -1 : v;
      done.set_result();
    });
    co_await done.async_wait();
    co_await taskio::sleep(5ms);
  }(ex, value));
  BOOST_TEST(seen == "kept Task-");
  BOOST_TEST(value == 7);
}

BOOST_AUTO_TEST_CASE(spawn_use_future_from_a_foreign_thread) {
  taskio::runner r({.handle_signals = false});
  auto ex = r.get_executor();
  auto work = asio::make_work_guard(ex);
  taskio::future<void> stop(ex);
  std::thread loop([&] { r.run(stop.async_wait()); });
  std::future<int> f = taskio::spawn(ex, value_after(1ms, 11), asio::use_future);
  BOOST_TEST(f.get() == 11);
  std::future<std::unique_ptr<int>> g =
      taskio::spawn(ex, []() -> asio::awaitable<std::unique_ptr<int>> { co_return std::make_unique<int>(12); },
                    asio::use_future);
  BOOST_TEST(*g.get() == 12);
  std::future<void> h = taskio::spawn(
      ex, []() -> asio::awaitable<void> { throw std::runtime_error("failed"); }, asio::use_future);
  BOOST_CHECK_THROW(h.get(), std::runtime_error);
  taskio::call_soon_threadsafe(ex, [stop] { stop.set_result(); });
  work.reset();
  loop.join();
}

TASKIO_TEST_CASE(spawn_use_awaitable_from_a_task_and_a_plain_coroutine) {
  auto ex = co_await asio::this_coro::executor;
  int v = co_await taskio::spawn(ex, value_after(1s, 3), asio::use_awaitable);
  BOOST_TEST(v == 3);
  std::unique_ptr<int> p = co_await taskio::spawn(
      ex, []() -> asio::awaitable<std::unique_ptr<int>> { co_return std::make_unique<int>(4); }, asio::use_awaitable);
  BOOST_TEST(*p == 4);
  // from a plain co_spawn coroutine
  taskio::future<int> got;
  asio::co_spawn(ex, [ex, got]() -> asio::awaitable<void> {
    got.set_result(co_await taskio::spawn(ex, value_after(1s, 5), asio::use_awaitable));
  }, asio::detached);
  BOOST_TEST(co_await got.async_wait() == 5);
}

TASKIO_TEST_CASE(spawn_is_cancelled_through_the_bound_slot) {
  auto ex = co_await asio::this_coro::executor;
  asio::cancellation_signal sig;
  taskio::future<std::string> outcome;
  taskio::spawn(ex, forever(), asio::bind_cancellation_slot(sig.slot(), [outcome](std::exception_ptr e) {
    outcome.set_result(e ? cancel_message(e) : "finished");
  }));
  co_await taskio::sleep(1s);
  sig.emit(asio::cancellation_type::terminal);
  BOOST_TEST(co_await outcome.async_wait() == "");  // a cancelled_error (no message)
  BOOST_TEST(vt() == 1s);
}

TASKIO_TEST_CASE(cancelling_the_awaiting_task_cancels_the_spawned_task) {
  auto ex = co_await asio::this_coro::executor;
  auto waiter = taskio::create_task([ex]() -> asio::awaitable<void> {
    co_await taskio::spawn(ex, forever(), asio::use_awaitable);
  });
  co_await taskio::sleep(1s);
  BOOST_TEST(taskio::all_tasks().size() == 3u);  // main, waiter, the spawned task
  waiter.cancel("stop");
  auto e = co_await catch_exception(waiter.async_wait());
  BOOST_TEST(cancel_message(e) == "stop");
  BOOST_TEST(taskio::all_tasks().size() == 1u);
}

TASKIO_TEST_CASE(spawn_a_non_default_constructible_result) {
  struct nd {
    explicit nd(int x) : v(x) {}
    int v;
  };
  auto ex = co_await asio::this_coro::executor;
  nd a = co_await taskio::spawn(ex, []() -> asio::awaitable<nd> { co_return nd(8); }, asio::use_awaitable);
  BOOST_TEST(a.v == 8);
  taskio::future<int> got;
  taskio::spawn(ex, []() -> asio::awaitable<nd> { co_return nd(9); },
                [got](std::exception_ptr, std::optional<nd> v) { got.set_result(v->v); });
  BOOST_TEST(co_await got.async_wait() == 9);
}

BOOST_AUTO_TEST_SUITE_END()
