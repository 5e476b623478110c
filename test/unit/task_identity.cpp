// Exact task identity: a plain coroutine that Asio runs inside a task's step
// (co_spawn from inside the task, on the loop's executor or on the task's own
// executor) is not that task. Primitives that attach to the current task
// refuse to run there ("should be used inside a task", asyncio's words) and
// leave every task untouched.
#include "../test_support.hpp"

#include <taskio/detail/asio_compat.hpp>  // TASKIO_ASIO_HAS_CONTEXT_SWITCHED_FLAG

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
#if TASKIO_ASIO_HAS_CONTEXT_SWITCHED_FLAG
  BOOST_TEST(!saw_task);
#else
  // Asio 1.36+ has no has_context_switched flag: the kernel cannot tell the
  // inline start from the task's own step (doc/design.md, "Task identity")
  BOOST_TEST(saw_task);
#endif
}

TASKIO_TEST_CASE(a_timeout_in_a_plain_coroutine_is_refused_on_either_executor) {
  for (bool on_task_ex : {true, false}) {
    auto e = co_await spawn_plain(on_task_ex, [] {
      return []() -> asio::awaitable<void> {
        co_await taskio::async_with(taskio::timeout(1s), [](taskio::timeout_scope&) -> asio::awaitable<void> {
          co_await taskio::sleep(3s);
        });
      }();
    });
    BOOST_TEST(says_inside_a_task(e), "on the task's executor: " << on_task_ex);
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
