// Unit tests of <taskio/shield.hpp> (doc/semantics.md 8, shield), alone and combined
// with timeout scopes and wait_for.
#include <taskio/shield.hpp>  // first: the header is self-contained

#include <taskio/timeout.hpp>
#include <taskio/wait_for.hpp>

#include "../timeout_support.hpp"

using namespace taskio_test;
using taskio::cancelled_error;

namespace {

asio::awaitable<int> inner_fails_after(std::chrono::nanoseconds d) {
  co_await taskio::sleep(d);
  throw std::domain_error("inner failed");
}

}  // namespace

BOOST_AUTO_TEST_SUITE(shield)

TASKIO_TEST_CASE(returns_the_value_or_the_exception_of_the_inner_work) {
  auto t = taskio::create_task(value_after(1s, 4));
  BOOST_TEST(co_await taskio::shield(t) == 4);
  BOOST_TEST(co_await taskio::shield(value_after(1s, 5)) == 5);
  auto e = co_await catch_exception(taskio::shield(inner_fails_after(1s)));
  BOOST_CHECK_THROW(std::rethrow_exception(e), std::domain_error);
  co_await taskio::shield(taskio::sleep(1s));
  BOOST_TEST(vt() == 4s);
}

TASKIO_TEST_CASE(done_inner_work_is_returned_without_suspending) {
  auto t = taskio::create_task(value_after(0s, 6));
  co_await taskio::sleep(1s);
  taskio::current_task().cancel("pending");
  // Not a suspension, hence not a cancellation point:
  BOOST_TEST(co_await taskio::shield(t) == 6);
  auto e = co_await catch_exception(taskio::sleep(0s));  // the next one is
  BOOST_TEST(cancel_message(e) == "pending");
  taskio::current_task().uncancel();
}

TASKIO_TEST_CASE(cancelling_the_awaiter_leaves_the_inner_task_running) {
  auto inner = taskio::create_task(value_after(5s, 7));
  auto awaiter = taskio::create_task([](taskio::task<int> inner) -> asio::awaitable<int> {
    co_return co_await taskio::shield(inner);
  }(inner));
  co_await taskio::sleep(1s);
  awaiter.cancel("give up");
  auto e = co_await catch_exception(awaiter.async_wait());
  BOOST_TEST(cancel_message(e) == "give up");
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(!inner.done());
  BOOST_TEST(inner.cancelling() == 0);
  BOOST_TEST(co_await inner.async_wait() == 7);  // its result is still there
  BOOST_TEST(vt() == 5s);
}

TASKIO_TEST_CASE(an_awaitable_becomes_a_task_at_the_call) {
  bool finished = false;
  auto body = [](bool& finished) -> asio::awaitable<void> {
    co_await taskio::sleep(5s);
    finished = true;
  };
  {
    auto never_awaited = taskio::shield(body(finished));  // starts anyway
  }
  auto awaiter = taskio::create_task(taskio::shield(body(finished)));
  co_await taskio::sleep(1s);
  awaiter.cancel();
  co_await catch_exception(awaiter.async_wait());
  BOOST_TEST(awaiter.cancelled());
  co_await taskio::sleep(10s);
  BOOST_TEST(finished);
}

TASKIO_TEST_CASE(inner_cancelled_by_other_means_cancels_the_awaiter) {
  auto inner = taskio::create_task(value_after(5s, 7));
  taskio::call_later(1s, [inner] { inner.cancel("from elsewhere"); });
  auto e = co_await catch_exception(taskio::shield(inner));
  BOOST_TEST(cancel_message(e) == "from elsewhere");
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(taskio::current_task().cancelling() == 0);
}

TASKIO_TEST_CASE(a_future_is_shielded_as_is) {
  taskio::future<int> f;
  auto awaiter = taskio::create_task([](taskio::future<int> f) -> asio::awaitable<int> {
    co_return co_await taskio::shield(f);
  }(f));
  co_await taskio::sleep(1s);
  awaiter.cancel();
  co_await catch_exception(awaiter.async_wait());
  BOOST_TEST(awaiter.cancelled());
  BOOST_TEST(!f.done());  // not cancelled
  f.set_result(3);
  BOOST_TEST(co_await taskio::shield(f) == 3);
}

TASKIO_TEST_CASE(inner_failure_after_the_awaiter_gave_up_is_not_reported) {
  clear_logs();
  auto awaiter = taskio::create_task(taskio::shield(inner_fails_after(2s)));
  taskio::create_task(inner_fails_after(2s));  // the same failure, unshielded: reported
  co_await taskio::sleep(1s);
  awaiter.cancel();
  co_await catch_exception(awaiter.async_wait());
  co_await taskio::sleep(5s);
  std::size_t reports = 0;
  for (const auto& r : captured_logs())
    if (r.message.find("exception was never retrieved") != std::string::npos) ++reports;
  BOOST_TEST(reports == 1u);
}

TASKIO_TEST_CASE(inner_failure_after_the_awaiter_gave_up_is_a_debug_record_naming_it) {
  const auto saved = taskio::get_log_level();
  taskio::set_log_level(boost::log::trivial::debug);
  clear_logs();
  const int line = __LINE__ + 1;
  auto inner = taskio::create_task(inner_fails_after(2s), "inner");
  auto awaiter = taskio::create_task(taskio::shield(inner));
  co_await taskio::sleep(1s);
  awaiter.cancel();
  co_await catch_exception(awaiter.async_wait());
  co_await taskio::sleep(5s);
  taskio::set_log_level(saved);
  bool found = false;
  for (const auto& r : captured_logs())
    if (r.message.starts_with("shield: the inner work ")) {
      found = true;
      BOOST_TEST(r.message == std::string("shield: the inner work <Task finished name='inner' exception=inner failed "
                                          "created at ") +
                                  __FILE__ + ":" + std::to_string(line) +
                                  "> failed after its awaiter was cancelled: inner failed");
      BOOST_TEST(r.severity == boost::log::trivial::debug);
      BOOST_TEST(r.task == "inner");
    }
  BOOST_TEST(found);
}

// --- with timeouts ------------------------------------------------------------------

TASKIO_TEST_CASE(timeout_gives_up_waiting_and_the_inner_task_goes_on) {
  auto inner = taskio::create_task(value_after(5s, 7));
  auto e = co_await catch_exception(taskio::async_with(taskio::timeout(1s), [&](taskio::timeout_scope&) {
    return taskio::shield(inner);
  }));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(inner.cancelling() == 0);
  BOOST_TEST(taskio::current_task().cancelling() == 0);
  BOOST_TEST(co_await inner.async_wait() == 7);
  BOOST_TEST(vt() == 5s);
}

TASKIO_TEST_CASE(wait_for_a_shielded_task) {
  auto inner = taskio::create_task(value_after(5s, 7));
  auto e = co_await catch_exception(taskio::wait_for(taskio::shield(inner), 1s));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
  e = co_await catch_exception(taskio::wait_for(taskio::shield(inner), 0s));
  BOOST_TEST(is_timeout(e));
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(inner.cancelling() == 0);
  BOOST_TEST(co_await inner.async_wait() == 7);
  BOOST_TEST(vt() == 5s);
}

BOOST_AUTO_TEST_SUITE_END()
