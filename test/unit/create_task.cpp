// Unit tests of <taskio/create_task.hpp>.
#include <taskio/create_task.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

using namespace taskio_test;

BOOST_AUTO_TEST_SUITE(create_task)

TASKIO_TEST_CASE(children_run_on_the_parent_executor) {
  auto ex = co_await asio::this_coro::executor;  // inside a task: the task's executor
  auto t = taskio::create_task(ex, value_after(1s, 2));  // unwrapped to the loop's executor
  BOOST_TEST(co_await t.async_wait() == 2);

  // a parent on a strand: its children run on that strand too
  auto& io = static_cast<asio::io_context&>(asio::query(ex, asio::execution::context));
  auto strand = asio::make_strand(io);
  auto parent = taskio::create_task(strand, [](asio::strand<asio::io_context::executor_type> s) -> asio::awaitable<bool> {
    auto child = taskio::create_task([](asio::strand<asio::io_context::executor_type> s) -> asio::awaitable<bool> {
      co_await taskio::sleep(1s);
      co_return s.running_in_this_thread();
    }(s));
    co_return co_await child.async_wait();
  }(strand));
  BOOST_TEST(co_await parent.async_wait());
}

BOOST_AUTO_TEST_CASE(create_task_outside_a_loop_is_an_error) {
  try {
    taskio::create_task(forever());
    BOOST_FAIL("expected an error");
  } catch (const std::runtime_error& e) {
    BOOST_TEST(std::string(e.what()) == "taskio::create_task: no running event loop");
  }
}

BOOST_AUTO_TEST_CASE(tasks_run_on_a_user_io_context) {
  asio::io_context io;
  auto t = taskio::create_task(io, value_after(1ms, 5), "on-io");
  auto s = taskio::create_task(asio::make_strand(io), value_after(1ms, 6));
  io.run();
  BOOST_TEST(t.result() == 5);
  BOOST_TEST(s.result() == 6);
}

BOOST_AUTO_TEST_SUITE_END()
