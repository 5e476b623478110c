// Unit tests of taskio::run_main and run_options::stop_signals (<taskio/run.hpp>):
// exit statuses, stop signals other than SIGINT, their dispositions.
#include <taskio/run.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <csignal>

using namespace taskio_test;

namespace {

/// A signal's current handler.
void (*disposition(int signo))(int) {
  struct sigaction sa {};
  ::sigaction(signo, nullptr, &sa);
  return sa.sa_handler;
}

const taskio::run_options term_too{.stop_signals = {SIGINT, SIGTERM}};

/// Main that raises `signo` (from a loop callback) and then sleeps: the
/// signal's cancellation escapes it.
asio::awaitable<int> raise_and_sleep(int signo) {
  taskio::call_soon([signo] { std::raise(signo); });
  co_await taskio::sleep(1h);
  co_return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(run_main)

BOOST_AUTO_TEST_CASE(returns_main_s_value) {
  BOOST_TEST(taskio::run_main([]() -> asio::awaitable<int> { co_return 7; }()) == 7);
  BOOST_TEST(taskio::run_main([]() -> asio::awaitable<void> { co_return; }()) == 0);
}

BOOST_AUTO_TEST_CASE(an_uncaught_exception_is_status_1) {
  BOOST_TEST(taskio::run_main([]() -> asio::awaitable<int> {
               throw std::domain_error("boom");
               co_return 0;
             }()) == 1);
}

BOOST_AUTO_TEST_CASE(main_cancelled_by_itself_is_status_1) {
  // a cancellation that no stop signal caused is a failure, as an uncaught
  // CancelledError is for asyncio.run
  BOOST_TEST(taskio::run_main([]() -> asio::awaitable<int> {
               taskio::current_task().cancel("own");
               co_await taskio::sleep(1s);
               co_return 0;
             }()) == 1);
}

BOOST_AUTO_TEST_CASE(system_exit_gives_its_code) {
  BOOST_TEST(taskio::run_main([]() -> asio::awaitable<int> {
               throw taskio::system_exit(3);
               co_return 0;
             }()) == 3);
}

BOOST_AUTO_TEST_CASE(sigint_is_130) {
  if (disposition(SIGINT) == SIG_IGN) {  // nohup, a background job: taskio leaves SIGINT alone
    BOOST_TEST_MESSAGE("skipped: SIGINT is ignored in this process, a raised SIGINT is lost");
    return;
  }
  BOOST_TEST(taskio::run_main(raise_and_sleep(SIGINT)) == 130);
}

BOOST_AUTO_TEST_CASE(sigterm_listed_is_143_and_cancels_main_with_its_name) {
  std::string message;
  const int status = taskio::run_main(
      [](std::string& message) -> asio::awaitable<int> {
        taskio::call_soon([] { std::raise(SIGTERM); });
        try {
          co_await taskio::sleep(1h);
        } catch (const taskio::cancelled_error& e) {
          message = e.message();
          throw;
        }
        co_return 0;
      }(message),
      term_too);
  BOOST_TEST(status == 128 + SIGTERM);
  BOOST_TEST(message == "SIGTERM");
  BOOST_TEST(disposition(SIGTERM) == SIG_DFL);  // restored
}

BOOST_AUTO_TEST_CASE(run_throws_system_exit_for_a_stop_signal_other_than_sigint) {
  try {
    taskio::run(raise_and_sleep(SIGTERM), term_too);
    BOOST_FAIL("expected system_exit");
  } catch (const taskio::system_exit& e) {
    BOOST_TEST(e.code() == 128 + SIGTERM);
  }
}

BOOST_AUTO_TEST_CASE(main_that_handles_the_stop_signal_returns_its_value) {
  BOOST_TEST(taskio::run_main(
                 []() -> asio::awaitable<int> {
                   taskio::call_soon([] { std::raise(SIGTERM); });
                   try {
                     co_await taskio::sleep(1h);
                   } catch (const taskio::cancelled_error&) {
                     co_return 5;  // drained, then a status of its own
                   }
                   co_return 0;
                 }(),
                 term_too) == 5);
}

BOOST_AUTO_TEST_CASE(a_second_stop_signal_ends_the_loop_at_once) {
  // main ignores the first SIGTERM and would sleep for an hour of real time
  const int status = taskio::run_main(
      []() -> asio::awaitable<int> {
        taskio::call_soon([] { std::raise(SIGTERM); });
        try {
          co_await taskio::sleep(1h);
        } catch (const taskio::cancelled_error&) {
        }
        taskio::call_soon([] { std::raise(SIGTERM); });
        co_await taskio::sleep(1h);
        co_return 0;
      }(),
      term_too);
  BOOST_TEST(status == 128 + SIGTERM);
}

BOOST_AUTO_TEST_CASE(unlisted_signals_keep_their_disposition) {
  bool term_default = false, int_default = false;
  taskio::run_main(
      [](bool& t, bool& i) -> asio::awaitable<void> {
        t = disposition(SIGTERM) == SIG_DFL;  // not listed
        i = disposition(SIGINT) == SIG_DFL;   // listed: handled
        co_return;
      }(term_default, int_default));
  BOOST_TEST(term_default);
  BOOST_TEST(!int_default);

  // no stop signals at all: SIGINT untouched too
  taskio::run_main(
      [](bool& i) -> asio::awaitable<void> {
        i = disposition(SIGINT) == SIG_DFL;
        co_return;
      }(int_default),
      {.stop_signals = {}});
  BOOST_TEST(int_default);
}

BOOST_AUTO_TEST_CASE(a_number_that_is_no_catchable_signal_is_rejected) {
  for (int bad : {0, -1, SIGKILL, 100000}) {
    try {
      taskio::run([]() -> asio::awaitable<void> { co_return; }(), {.stop_signals = {SIGINT, bad}});
      BOOST_FAIL("expected std::invalid_argument");
    } catch (const std::invalid_argument& e) {
      BOOST_TEST(std::string(e.what()).find("stop_signals") != std::string::npos);
    }
  }
  BOOST_TEST(disposition(SIGINT) == SIG_DFL);  // nothing left installed
}

BOOST_AUTO_TEST_SUITE_END()
