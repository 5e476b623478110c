// Unit tests of <taskio/as_completed.hpp> (doc/semantics.md 11, as_completed).
#include <taskio/as_completed.hpp>  // first: the header is self-contained

#include "../concurrency_support.hpp"

#include <cmath>

using namespace taskio_test;

BOOST_AUTO_TEST_SUITE(as_completed)

TASKIO_TEST_CASE(results_come_in_completion_order) {
  auto ac = taskio::as_completed(tasks_after(3, 1, 2));
  std::vector<std::pair<int, taskio::clock::duration>> got;
  while (ac.has_next()) {
    int v = co_await ac.next();
    got.emplace_back(v, vt());
  }
  BOOST_TEST(got.size() == 3u);
  BOOST_TEST((got[0] == std::pair<int, taskio::clock::duration>(1, 1s)));
  BOOST_TEST((got[1] == std::pair<int, taskio::clock::duration>(2, 2s)));
  BOOST_TEST((got[2] == std::pair<int, taskio::clock::duration>(3, 3s)));
}

TASKIO_TEST_CASE(a_range_of_awaitables) {
  std::vector<asio::awaitable<int>> aws;
  aws.push_back(value_after(2s, 20));
  aws.push_back(value_after(1s, 10));
  std::vector<int> got;
  for (auto&& next : taskio::as_completed(std::move(aws))) got.push_back(co_await std::move(next));
  BOOST_TEST(got.size() == 2u);
  BOOST_TEST(got[0] == 10);
  BOOST_TEST(got[1] == 20);
}

TASKIO_TEST_CASE(an_exception_is_rethrown_in_its_completion_order) {
  std::vector<asio::awaitable<int>> aws;
  aws.push_back(value_after(2s, 2));
  aws.push_back(fail_after(1s));
  auto ac = taskio::as_completed(std::move(aws));
  BOOST_CHECK_THROW(co_await ac.next(), std::runtime_error);
  BOOST_TEST(vt() == 1s);
  BOOST_TEST(co_await ac.next() == 2);
}

TASKIO_TEST_CASE(whichever_next_is_awaited_first_gets_the_first_result) {
  auto ac = taskio::as_completed(tasks_after(2, 1));
  auto first = ac.next();
  auto second = ac.next();
  BOOST_TEST(!ac.has_next());
  BOOST_TEST(co_await std::move(second) == 1);
  BOOST_TEST(co_await std::move(first) == 2);
}

TASKIO_TEST_CASE(a_timeout_fails_every_undelivered_next_and_cancels_nothing) {
  auto ts = tasks_after(1, 5, 6);
  auto ac = taskio::as_completed(ts, 3s);
  BOOST_TEST(co_await ac.next() == 1);
  BOOST_CHECK_THROW(co_await ac.next(), taskio::timeout_error);
  BOOST_TEST(vt() == 3s);
  BOOST_CHECK_THROW(co_await ac.next(), taskio::timeout_error);
  BOOST_TEST(vt() == 3s);
  BOOST_TEST(!ac.has_next());
  BOOST_TEST(ts[1].cancelling() == 0);
  BOOST_TEST(co_await ts[2].async_wait() == 6);
}

TASKIO_TEST_CASE(a_negative_timeout_is_zero_and_any_duration_is_accepted) {
  auto ts = tasks_after(1, 2);
  auto now = taskio::as_completed(ts, -1s);  // as 0s: expired in the next iteration
  BOOST_CHECK_THROW(co_await now.next(), taskio::timeout_error);
  BOOST_TEST(vt() == 0s);
  auto ac = taskio::as_completed(ts, std::chrono::duration<double>(1.5));
  BOOST_TEST(co_await ac.next() == 1);
  BOOST_CHECK_THROW(co_await ac.next(), taskio::timeout_error);
  BOOST_TEST(vt() == 1500ms);
  BOOST_CHECK_THROW((void)taskio::as_completed(ts, std::chrono::duration<double>(std::nan(""))),
                    std::invalid_argument);
}

TASKIO_TEST_CASE(results_ready_before_the_timeout_are_still_delivered) {
  auto ac = taskio::as_completed(tasks_after(1, 2, 10), 3s);
  co_await taskio::sleep(5s);
  BOOST_TEST(co_await ac.next() == 1);
  BOOST_TEST(co_await ac.next() == 2);
  BOOST_CHECK_THROW(co_await ac.next(), taskio::timeout_error);
  BOOST_TEST(vt() == 5s);
}

TASKIO_TEST_CASE(a_ready_result_is_returned_without_suspending) {
  auto ac = taskio::as_completed(tasks_after(1));
  co_await taskio::sleep(2s);
  trace tr;
  taskio::call_soon([&] { tr("callback"); });
  BOOST_TEST(co_await ac.next() == 1);
  tr("result");
  co_await taskio::sleep(0s);
  BOOST_TEST(tr.str() == "result callback");
}

TASKIO_TEST_CASE(duplicates_collapse) {
  auto ts = tasks_after(1);
  ts.push_back(ts[0]);
  auto ac = taskio::as_completed(ts);
  BOOST_TEST(co_await ac.next() == 1);
  BOOST_TEST(!ac.has_next());
}

TASKIO_TEST_CASE(an_empty_set_has_nothing_next) {
  auto ac = taskio::as_completed(std::vector<taskio::task<int>>{}, 1s);
  BOOST_TEST(!ac.has_next());
  co_return;
}

TASKIO_TEST_CASE(misuse_is_a_clear_error) {
  auto ac = taskio::as_completed(tasks_after(1));
  BOOST_TEST(co_await ac.next() == 1);
  BOOST_CHECK_THROW(ac.next(), std::logic_error);
  auto ac2 = taskio::as_completed(tasks_after(1, 2));
  auto it = ac2.begin();
  auto a = *it;
  BOOST_CHECK_THROW(*it, std::logic_error);  // the same position twice
  ++it;
  auto b = *it;
  BOOST_TEST(co_await std::move(a) + co_await std::move(b) == 3);
  BOOST_CHECK_THROW(taskio::as_completed(tasks_after(1), std::chrono::duration<double>(std::nan(""))),
                    std::invalid_argument);
}

TASKIO_TEST_CASE(cancelling_a_waiting_next_cancels_no_child_and_loses_no_result) {
  auto ts = tasks_after(2, 3);
  auto ac = taskio::as_completed(ts);
  auto waiter = taskio::create_task(ac.next());
  co_await taskio::sleep(1s);
  waiter.cancel("stop");
  auto e = co_await catch_exception(waiter.async_wait());
  BOOST_TEST(cancel_message(e) == "stop");
  BOOST_TEST(ts[0].cancelling() == 0);
  BOOST_TEST(co_await ac.next() == 2);  // the first completion is still there
  BOOST_TEST(!ac.has_next());          // the cancelled next() used its turn
}

TASKIO_TEST_CASE(a_next_cancelled_after_being_woken_passes_the_result_on) {
  auto ts = tasks_after(1, 5);
  auto ac = taskio::as_completed(ts);
  auto w1 = taskio::create_task(ac.next());
  auto w2 = taskio::create_task(ac.next());
  co_await taskio::sleep(0s);
  co_await taskio::sleep(0s);  // both wait; ts[0] is asleep
  taskio::call_later(1s, [w1] {
    // ts[0] just finished; its result is queued and w1 woken next iteration
    taskio::call_soon([w1] { w1.cancel(); });
  });
  co_await catch_exception(w1.async_wait());
  BOOST_TEST(w1.cancelled());
  BOOST_TEST(co_await w2.async_wait() == 1);
  BOOST_TEST(vt() == 1s);
}

BOOST_AUTO_TEST_SUITE_END()
