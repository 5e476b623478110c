//
// example/logging.cpp
//
// Distributed under the Boost Software License, Version 1.0.
//
// Getting taskio's log records (asyncio's "Debug mode" and logging, in
// C++). taskio logs through Boost.Log on channel "taskio" and never installs
// a sink on its own (without one, Boost.Log's default sink prints every
// record to stdout). The example installs one: taskio::log_to_console(debug),
// the one-call sink that writes taskio's records to stderr and lowers the
// gate to debug; or, with --custom, a sink of its own on stdout, filtered on
// the channel, whose format also shows the "Task" attribute (the name of the
// task the record is about). It turns on debug mode and triggers records,
// each naming its task (repr and creation site):
//   1. a task fails and nobody retrieves its exception (error, as asyncio's
//      "Task exception was never retrieved");
//   2. a cancel request (debug);
//   3. a step blocks the loop for 150 ms > slow_callback_duration (warning,
//      debug mode only, as asyncio's "Executing <Task ...> took 0.150 seconds");
// and finally silences taskio: the same failure leaves no record.
//
//   $ logging            # records on stderr, taskio's format
//   $ logging --custom   # records on stdout, the example's format

#include <taskio.hpp>
#include <taskio/log.hpp>  // set_log_level, the attribute keywords

#include <boost/asio/awaitable.hpp>
#include <boost/log/expressions.hpp>
#include <boost/log/utility/setup/console.hpp>

#include <iostream>
#include <stdexcept>
#include <string_view>
#include <thread>

namespace asio = boost::asio;
namespace expr = boost::log::expressions;
namespace kw = taskio::log_keywords;
using namespace std::chrono_literals;

namespace {

/// Records of channel "taskio" to stdout, e.g.
/// "[error] taskio <forgotten>: Task exception was never retrieved: <Task ...>".
void install_custom_sink() {
  boost::log::add_console_log(std::cout,
                              boost::log::keywords::filter = kw::channel == taskio::log_channel,
                              boost::log::keywords::format = expr::stream << "[" << kw::severity << "] " << kw::channel
                                                                          << " <" << kw::task << ">: " << expr::smessage,
                              boost::log::keywords::auto_flush = true);
}

asio::awaitable<void> fail() {
  co_await taskio::sleep(0s);
  throw std::runtime_error("boom");
}

asio::awaitable<void> blocking_step() {
  std::this_thread::sleep_for(150ms);  // never do this in a task: the whole loop stops
  co_return;
}

/// Starts a failing task, lets it fail, and drops the only handle.
asio::awaitable<void> forget_a_failure(const char* name) {
  auto t = taskio::create_task(fail(), name);
  co_await taskio::sleep(10ms);
}  // the task is done and unreferenced: its state is destroyed here

asio::awaitable<void> main_task() {
  std::cout << "1. a task whose exception is never retrieved" << std::endl;
  co_await forget_a_failure("forgotten");

  std::cout << "2. a cancel request" << std::endl;
  auto sleeper = taskio::create_task(taskio::sleep(1h), "sleeper");
  co_await taskio::sleep(0s);
  sleeper.cancel("no longer needed");
  try {
    co_await sleeper.async_wait();
  } catch (const taskio::cancelled_error&) {
  }

  std::cout << "3. a slow step (debug mode)" << std::endl;
  co_await taskio::create_task(blocking_step(), "slow").async_wait();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1 && std::string_view(argv[1]) == "--custom") {
    install_custom_sink();
    taskio::set_log_level(boost::log::trivial::debug);  // default: warning
  } else {
    taskio::log_to_console(boost::log::trivial::debug);  // stderr; sets the level too
  }
  // debug: asyncio's debug mode (slow steps are logged); the threshold is
  // run_options::slow_callback_duration (100 ms by default).
  if (const int status = taskio::run_main(main_task(), {.debug = true}); status != 0) return status;

  // Silencing taskio: disable_logging() (records are never formed), or
  // set_log_level(fatal), or a sink filter that drops channel "taskio".
  taskio::disable_logging();
  std::cout << "4. taskio silenced: the same failure again" << std::endl;
  const int status = taskio::run_main(forget_a_failure("forgotten-again"));
  std::cout << "(no record)" << std::endl;
  return status;
}
