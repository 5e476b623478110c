// Unit tests of <taskio/log.hpp> (the capture sink is in test_support.cpp).
#include <taskio/log.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

// The suite lives in taskio_test: at global scope `log` is the C function.
namespace taskio_test {
BOOST_AUTO_TEST_SUITE(log)

struct level_guard {
  taskio::severity_level saved = taskio::get_log_level();
  ~level_guard() { taskio::set_log_level(saved); }
};

BOOST_AUTO_TEST_CASE(records_carry_channel_severity_and_task_name) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::trace);
  clear_logs();
  run_virtual([]() -> asio::awaitable<void> {
    auto t = taskio::create_task([]() -> asio::awaitable<void> { co_return; }(), "worker");
    t.cancel("stop");
    co_await taskio::sleep(0s);
  }());
  bool found = false;
  for (const auto& r : captured_logs())
    if (r.message.find("cancel requested: stop") != std::string::npos) {
      found = true;
      BOOST_TEST(r.channel == "taskio");
      BOOST_TEST(r.task == "worker");
      BOOST_TEST(r.severity == boost::log::trivial::debug);
    }
  BOOST_TEST(found);
}

BOOST_AUTO_TEST_CASE(gate_suppresses_records_below_level) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::error);
  clear_logs();
  run_virtual([]() -> asio::awaitable<void> {
    auto t = taskio::create_task([]() -> asio::awaitable<void> { co_return; }(), "quiet");
    t.cancel("stop");
    co_await taskio::sleep(0s);
  }());
  BOOST_TEST(!logged("cancel requested"));
  BOOST_TEST(!taskio::detail::log_enabled(boost::log::trivial::warning));
  taskio::disable_logging();
  BOOST_TEST(!taskio::detail::log_enabled(boost::log::trivial::fatal));
}

BOOST_AUTO_TEST_CASE(exception_never_retrieved_is_logged) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::warning);
  clear_logs();
  run_virtual([]() -> asio::awaitable<void> {
    taskio::create_task([]() -> asio::awaitable<void> {
      throw std::runtime_error("lost error");
      co_return;
    }(), "failing");
    co_await taskio::sleep(1s);
  }());
  BOOST_TEST(logged("Task exception was never retrieved: lost error"));
}

BOOST_AUTO_TEST_CASE(retrieved_exception_is_not_logged) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::warning);
  clear_logs();
  run_virtual([]() -> asio::awaitable<void> {
    auto t = taskio::create_task([]() -> asio::awaitable<void> {
      throw std::runtime_error("seen error");
      co_return;
    }());
    co_await taskio::sleep(1s);
    BOOST_TEST(t.exception() != nullptr);
  }());
  BOOST_TEST(!logged("never retrieved"));
}

BOOST_AUTO_TEST_CASE(destroyed_pending_task_is_logged) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::warning);
  clear_logs();
  {
    asio::io_context io;
    taskio::create_task(io, []() -> asio::awaitable<void> { co_return; }(), "never-ran");
  }  // the loop goes away before the task ever ran
  BOOST_TEST(logged("Task was destroyed but it is pending!"));
}

BOOST_AUTO_TEST_CASE(debug_mode_warns_about_slow_steps) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::warning);
  clear_logs();
  taskio::run(
      []() -> asio::awaitable<void> {
        co_await taskio::sleep(0s);
      }(),
      {.debug = true, .virtual_time = true, .handle_signals = false, .slow_callback_duration = 0ns});
  BOOST_TEST(logged("Executing <Task"));
  BOOST_TEST(logged("seconds"));
  clear_logs();
  taskio::run([]() -> asio::awaitable<void> { co_await taskio::sleep(0s); }(),
              {.virtual_time = true, .handle_signals = false, .slow_callback_duration = 0ns});
  BOOST_TEST(!logged("Executing <Task"));  // debug mode off
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace taskio_test
