// Unit tests of <taskio/log.hpp> (the capture sink is in test_support.cpp).
#include <taskio/log.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <boost/log/core/core.hpp>
#include <boost/log/sources/channel_logger.hpp>
#include <boost/log/sources/record_ostream.hpp>

#include <cstdio>
#include <iostream>
#include <string>

#include <unistd.h>

// The suite lives in taskio_test: at global scope `log` is the C function.
namespace taskio_test {
BOOST_AUTO_TEST_SUITE(log)

struct level_guard {
  taskio::severity_level saved = taskio::get_log_level();
  ~level_guard() { taskio::set_log_level(saved); }
};

/// How records name a task created on `line` of this file: the tail of its
/// repr, " created at <file>:<line>>".
std::string created_here(int line) { return std::string(" created at ") + __FILE__ + ":" + std::to_string(line) + ">"; }

/// The first captured record whose message contains `text` (empty if none).
log_record record_with(const std::string& text) {
  for (const auto& r : captured_logs())
    if (r.message.find(text) != std::string::npos) return r;
  return {};
}

asio::awaitable<void> nothing() { co_return; }
asio::awaitable<void> fails(const char* what) {
  throw std::runtime_error(what);
  co_return;
}

BOOST_AUTO_TEST_CASE(records_carry_channel_severity_and_task_name) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::trace);
  clear_logs();
  int line = 0;
  run_virtual([](int& line) -> asio::awaitable<void> {
    line = __LINE__ + 1;
    auto t = taskio::create_task(nothing(), "worker");
    t.cancel("stop");
    co_await taskio::sleep(0s);
  }(line));
  const auto r = record_with("cancel requested: ");
  BOOST_TEST(r.message == "cancel requested: <Task cancelling name='worker'" + created_here(line) + ", message: stop");
  BOOST_TEST(r.channel == "taskio");
  BOOST_TEST(r.task == "worker");
  BOOST_TEST(r.severity == boost::log::trivial::debug);
  BOOST_TEST(logged("task created: <Task pending name='worker'" + created_here(line)));
}

BOOST_AUTO_TEST_CASE(gate_suppresses_records_below_level) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::error);
  BOOST_TEST(taskio::get_log_level() == boost::log::trivial::error);
  clear_logs();
  run_virtual([]() -> asio::awaitable<void> {
    auto t = taskio::create_task(nothing(), "quiet");
    t.cancel("stop");
    co_await taskio::sleep(0s);
  }());
  BOOST_TEST(!logged("cancel requested"));
  taskio::disable_logging();  // not even errors
  run_virtual([]() -> asio::awaitable<void> {
    taskio::create_task(fails("silenced"), "failing");
    co_await taskio::sleep(1s);
  }());
  BOOST_TEST(!logged("never retrieved"));
}

// The record names the task in its text: its repr (with the exception) and
// where it was created, not only in the "Task" attribute.
BOOST_AUTO_TEST_CASE(exception_never_retrieved_names_the_task) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::warning);
  clear_logs();
  int line = 0;
  run_virtual([](int& line) -> asio::awaitable<void> {
    line = __LINE__ + 1;
    taskio::create_task(fails("lost error"), "failing");
    co_await taskio::sleep(1s);
  }(line));
  const auto r = record_with("never retrieved");
  BOOST_TEST(r.message ==
             "Task exception was never retrieved: <Task finished name='failing' exception=lost error" +
                 created_here(line));
  BOOST_TEST(r.severity == boost::log::trivial::error);
  BOOST_TEST(r.task == "failing");
}

BOOST_AUTO_TEST_CASE(retrieved_exception_is_not_logged) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::warning);
  clear_logs();
  run_virtual([]() -> asio::awaitable<void> {
    auto t = taskio::create_task(fails("seen error"));
    co_await taskio::sleep(1s);
    BOOST_TEST(t.exception() != nullptr);
  }());
  BOOST_TEST(!logged("never retrieved"));
}

BOOST_AUTO_TEST_CASE(destroyed_pending_task_names_the_task) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::warning);
  clear_logs();
  int line = 0;
  {
    asio::io_context io;
    line = __LINE__ + 1;
    taskio::create_task(io, nothing(), "never-ran");
  }  // the loop goes away before the task ever ran
  BOOST_TEST(logged("Task was destroyed but it is pending! <Task pending name='never-ran'" + created_here(line)));
}

BOOST_AUTO_TEST_CASE(debug_mode_warns_about_slow_steps_naming_the_task) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::warning);
  clear_logs();
  int line = 0;
  taskio::run(
      [](int& line) -> asio::awaitable<void> {
        line = __LINE__ + 1;
        co_await taskio::create_task(taskio::sleep(0s), "stepper").async_wait();
      }(line),
      {.debug = true, .virtual_time = true, .handle_signals = false, .slow_callback_duration = 0ns});
  const auto r = record_with("Executing <Task pending name='stepper'");
  BOOST_TEST(r.message.find("Executing <Task pending name='stepper'" + created_here(line) + " took ") == 0);
  BOOST_TEST(r.message.ends_with(" seconds"));
  BOOST_TEST(r.severity == boost::log::trivial::warning);
  BOOST_TEST(r.task == "stepper");
  clear_logs();
  taskio::run([]() -> asio::awaitable<void> { co_await taskio::sleep(0s); }(),
              {.virtual_time = true, .handle_signals = false, .slow_callback_duration = 0ns});
  BOOST_TEST(!logged("Executing <Task"));  // debug mode off
}

// --- log_to_console ----------------------------------------------------------

/// Redirects file descriptor 2 to a temporary file while alive; text() is
/// what was written to it.
class stderr_capture {
 public:
  stderr_capture() : file_(std::tmpfile()), saved_(::dup(2)) {
    std::fflush(stderr);
    ::dup2(::fileno(file_), 2);
  }
  ~stderr_capture() {
    restore();
    std::fclose(file_);
  }
  std::string text() {
    restore();
    std::string s;
    std::rewind(file_);
    for (int c; (c = std::fgetc(file_)) != EOF;) s += static_cast<char>(c);
    return s;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::clog.flush();
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }
  std::FILE* file_;
  int saved_;
};

/// Removes the console sink at the end of a test.
struct sink_guard {
  boost::shared_ptr<boost::log::sinks::sink> sink;
  ~sink_guard() {
    if (sink) boost::log::core::get()->remove_sink(sink);
  }
};

BOOST_AUTO_TEST_CASE(log_to_console_writes_taskio_records_to_stderr) {
  level_guard g;
  taskio::set_log_level(boost::log::trivial::trace);
  std::string out;
  int line = 0;
  {
    stderr_capture capture;
    sink_guard s{taskio::log_to_console(boost::log::trivial::warning)};
    BOOST_TEST(taskio::get_log_level() == boost::log::trivial::warning);  // the gate follows
    run_virtual([](int& line) -> asio::awaitable<void> {
      line = __LINE__ + 1;
      auto t = taskio::create_task(nothing(), "below-level");
      t.cancel("debug record");  // below the sink's level: not written
      taskio::create_task(fails("boom"), "worker");
      co_await taskio::sleep(1s);
    }(line));
    boost::log::sources::channel_logger<std::string> other(boost::log::keywords::channel = "app");
    BOOST_LOG(other) << "a record of another channel";
    out = capture.text();
  }
  BOOST_TEST(out == "taskio: error: Task exception was never retrieved: <Task finished name='worker' exception=boom" +
                        created_here(line + 2) + "\n");
}

BOOST_AUTO_TEST_CASE(log_to_console_twice_keeps_one_sink) {
  level_guard g;
  std::string out;
  {
    stderr_capture capture;
    sink_guard first{taskio::log_to_console(boost::log::trivial::error)};
    sink_guard second{taskio::log_to_console(boost::log::trivial::debug)};
    BOOST_TEST(taskio::get_log_level() == boost::log::trivial::debug);
    run_virtual([]() -> asio::awaitable<void> {
      auto t = taskio::create_task(nothing(), "cancelled-once");
      t.cancel();
      co_await taskio::sleep(0s);
    }());
    out = capture.text();
  }
  // once, at the level of the second call
  BOOST_TEST(out.find("taskio: debug: cancel requested: <Task cancelling name='cancelled-once'") == 0);
  BOOST_TEST(out.find('\n') == out.size() - 1);
}

BOOST_AUTO_TEST_SUITE_END()
}  // namespace taskio_test
