// Unit tests of <taskio/this_task.hpp>: current_task, all_tasks.
#include <taskio/this_task.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

using namespace taskio_test;

BOOST_AUTO_TEST_SUITE(this_task)

TASKIO_TEST_CASE(current_task_is_the_running_task) {
  auto me = taskio::current_task();
  BOOST_TEST(static_cast<bool>(me));
  auto child = taskio::create_task(
      []() -> asio::awaitable<std::string> { co_return taskio::current_task().get_name(); }(), "child");
  BOOST_TEST(co_await child.async_wait() == "child");
  BOOST_TEST((taskio::current_task() == me));
}

BOOST_AUTO_TEST_CASE(current_task_outside_a_loop_is_an_error) {
  try {
    taskio::current_task();
    BOOST_FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()).find("no running event loop") != std::string::npos);
  }
}

TASKIO_TEST_CASE(all_tasks_lists_the_pending_tasks) {
  auto a = taskio::create_task(taskio::sleep(10s), "a");
  auto b = taskio::create_task(taskio::sleep(1s), "b");
  auto names = [] {
    std::string s;
    for (auto& t : taskio::all_tasks()) s += t.get_name() + ",";
    return s;
  };
  const std::string me = taskio::current_task().get_name();
  BOOST_TEST(names() == me + ",a,b,");
  co_await taskio::sleep(2s);
  BOOST_TEST(names() == me + ",a,");  // b is done
  a.cancel();
  co_await taskio::sleep(0s);
  co_await taskio::sleep(0s);
  BOOST_TEST(names() == me + ",");
}

BOOST_AUTO_TEST_SUITE_END()
