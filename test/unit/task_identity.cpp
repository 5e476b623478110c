// Exact task identity: a plain coroutine that Asio runs inside a task's step
// (co_spawn from inside the task, on the loop's executor or on the task's own
// executor) is not that task. Primitives that attach to the current task
// refuse to run there ("should be used inside a task", asyncio's words) and
// leave every task untouched.
#include "../test_support.hpp"

#include <taskio/detail/asio_compat.hpp>  // TASKIO_ASIO_HAS_LAUNCH_CONTEXT

#include <optional>

using namespace taskio_test;

namespace {
bool says_inside_a_task(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::runtime_error& x) {
    return std::string(x.what()).find("should be used inside a task") != std::string::npos;
  } catch (...) {
    return false;
  }
}

/// Spawns `plain` with co_spawn from inside a task on `ex` (the loop's
/// executor or the task's own), records the exception it ends with, and
/// checks that the spawning task was never cancelled.
template <class Make>
asio::awaitable<std::exception_ptr> spawn_plain(bool on_task_executor, Make make) {
  std::exception_ptr result;
  bool finished = false;
  auto spawner = taskio::create_task(
      [](bool on_task_executor, Make make, std::exception_ptr& result, bool& finished) -> asio::awaitable<void> {
        auto task_ex = co_await asio::this_coro::executor;
        auto on_done = [&](std::exception_ptr e) {
          result = e;
          finished = true;
        };
        if (on_task_executor)
          asio::co_spawn(task_ex, make(), on_done);
        else
          asio::co_spawn(static_cast<asio::io_context&>(asio::query(task_ex, asio::execution::context)).get_executor(),
                         make(), on_done);
        co_await taskio::sleep(5s);  // would be cancelled by a misplaced timeout
      }(on_task_executor, make, result, finished));
  co_await spawner.async_wait();
  BOOST_TEST(finished);
  BOOST_TEST(!spawner.cancelled());
  BOOST_TEST(spawner.cancelling() == 0);
  co_return result;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(task_identity)

TASKIO_TEST_CASE(current_task_is_empty_in_a_plain_coroutine_spawned_on_the_tasks_executor) {
  bool saw_task = true;
  auto t = taskio::create_task([](bool& saw) -> asio::awaitable<void> {
    asio::co_spawn(
        co_await asio::this_coro::executor,
        [](bool& saw) -> asio::awaitable<void> {
          saw = static_cast<bool>(taskio::current_task());
          co_return;
        }(saw),
        asio::detached);
    BOOST_TEST(static_cast<bool>(taskio::current_task()));  // the task itself again
    co_return;
  }(saw_task));
  co_await t.async_wait();
  BOOST_TEST(!saw_task);
}

namespace {
/// An operation completing the way Asio 1.34's channels do: its completion is
/// posted to its I/O executor (here the task's own), which dispatches it to
/// the handler's executor (the task's again), so the task's coroutine resumes
/// in a step nested in a step of the task that did not run it.
template <class Token>
auto async_forwarded(const asio::any_io_executor& io_ex, Token&& token) {
  return asio::async_initiate<Token, void()>(
      [](auto handler, const asio::any_io_executor& io_ex) {
        asio::post(io_ex, [h = std::move(handler)]() mutable {
          auto ex = asio::get_associated_executor(h);
          asio::dispatch(ex, std::move(h));
        });
      },
      token, io_ex);
}
}  // namespace

TASKIO_TEST_CASE(the_task_is_current_when_an_operation_forwarded_through_its_executor_resumes_it) {
  bool saw_task = false;
  auto t = taskio::create_task([](bool& saw) -> asio::awaitable<void> {
    const auto ex = co_await asio::this_coro::executor;
    co_await async_forwarded(ex, asio::use_awaitable);
    saw = static_cast<bool>(taskio::current_task());
  }(saw_task));
  co_await t.async_wait();
  BOOST_TEST(saw_task);
}

namespace {
/// What a plain coroutine saw as current_task(): before its first suspension
/// (started inline), after a post, after a real Asio timer.
struct sightings {
  std::optional<bool> inline_start, after_post, after_timer;
  bool done = false;
};

asio::awaitable<void> look_around(sightings& seen) {
  seen.inline_start = static_cast<bool>(taskio::current_task());
  auto ex = co_await asio::this_coro::executor;
  co_await asio::post(ex, asio::use_awaitable);
  seen.after_post = static_cast<bool>(taskio::current_task());
  asio::steady_timer timer(ex, std::chrono::steady_clock::now());
  co_await timer.async_wait(asio::use_awaitable);
  seen.after_timer = static_cast<bool>(taskio::current_task());
}

/// A task that co_spawns look_around on its own executor or on the loop's,
/// then waits (`wait`: until the plain coroutine is done; else it ends at
/// once, before the plain coroutine's later resumptions).
asio::awaitable<void> spawner(bool on_task_executor, bool wait, sightings& seen) {
  auto task_ex = co_await asio::this_coro::executor;
  asio::any_io_executor ex = task_ex;
  if (!on_task_executor)
    ex = static_cast<asio::io_context&>(asio::query(task_ex, asio::execution::context)).get_executor();
  auto me = taskio::current_task();
  asio::co_spawn(ex, look_around(seen), [&seen](std::exception_ptr) { seen.done = true; });
  BOOST_TEST((taskio::current_task() == me));  // the task itself again
  while (wait && !seen.done) co_await taskio::sleep(0s);
}
}  // namespace

// Later resumptions of a plain coroutine on a task's executor run as steps of
// that task (Asio resumes it through the executor), while the task itself is
// suspended or already done: they are not the task.
TASKIO_TEST_CASE(current_task_is_empty_when_a_plain_coroutine_resumes_on_the_tasks_executor) {
  for (bool wait : {true, false}) {
    sightings seen;
    co_await taskio::create_task(spawner(true, wait, seen)).async_wait();
    while (!seen.done) co_await taskio::sleep(0s);
    BOOST_TEST_REQUIRE(seen.after_timer.has_value());
    BOOST_TEST(!*seen.inline_start, "waiting: " << wait);
    BOOST_TEST(!*seen.after_post, "waiting: " << wait);
    BOOST_TEST(!*seen.after_timer, "waiting: " << wait);
  }
}

// A plain coroutine co_spawned on the loop's executor from inside a task:
// Asio starts it inline, within the task's step.
TASKIO_TEST_CASE(current_task_is_empty_in_a_plain_coroutine_spawned_on_the_loops_executor) {
  sightings seen;
  co_await taskio::create_task(spawner(false, true, seen)).async_wait();
  BOOST_TEST_REQUIRE(seen.after_timer.has_value());
#if TASKIO_ASIO_HAS_LAUNCH_CONTEXT
  BOOST_TEST(!*seen.inline_start);
#else
  // Before Asio 1.36 nothing records an inline launch on the loop's executor
  // (doc/design.md, "Task identity"): until its first suspension the plain
  // coroutine is taken for the task by current_task() (the primitives
  // refuse it all the same, see below).
  BOOST_TEST(*seen.inline_start);
#endif
  BOOST_TEST(!*seen.after_post);
  BOOST_TEST(!*seen.after_timer);
}

TASKIO_TEST_CASE(a_timeout_in_a_plain_coroutine_is_refused_on_either_executor) {
  for (bool on_task_ex : {true, false}) {
    for (bool after_a_suspension : {false, true}) {
      auto e = co_await spawn_plain(on_task_ex, [after_a_suspension] {
        return [](bool suspend) -> asio::awaitable<void> {
          if (suspend) co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
          co_await taskio::async_with(taskio::timeout(1s), [](taskio::timeout_scope&) -> asio::awaitable<void> {
            co_await taskio::sleep(3s);
          });
        }(after_a_suspension);
      });
      BOOST_TEST(says_inside_a_task(e),
                 "on the task's executor: " << on_task_ex << ", after a suspension: " << after_a_suspension);
    }
  }
}

TASKIO_TEST_CASE(task_group_wait_for_and_shield_in_a_plain_coroutine_are_refused) {
  auto e1 = co_await spawn_plain(false, [] {
    return []() -> asio::awaitable<void> {
      co_await taskio::async_with(taskio::task_group{}, [](taskio::task_group&) -> asio::awaitable<void> { co_return; });
    }();
  });
  BOOST_TEST(says_inside_a_task(e1));
  auto e2 = co_await spawn_plain(false, [] {
    return []() -> asio::awaitable<void> { co_await taskio::wait_for(taskio::sleep(3s), 1s); }();
  });
  BOOST_TEST(says_inside_a_task(e2));
  auto e3 = co_await spawn_plain(true, [] {
    return []() -> asio::awaitable<void> { co_await taskio::shield(taskio::sleep(0s)); }();
  });
  BOOST_TEST(says_inside_a_task(e3));
}

TASKIO_TEST_CASE(the_task_itself_still_uses_them) {
  co_await taskio::async_with(taskio::timeout(1s), [](taskio::timeout_scope&) -> asio::awaitable<void> { co_return; });
  co_await taskio::wait_for(taskio::sleep(0s), 1s);
  co_await taskio::shield(taskio::sleep(0s));
  co_await taskio::async_with(taskio::task_group{}, [](taskio::task_group&) -> asio::awaitable<void> { co_return; });
}

BOOST_AUTO_TEST_SUITE_END()
