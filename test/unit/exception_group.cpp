// Unit tests of <taskio/exception_group.hpp>: Python's ExceptionGroup
// (construction, what(), split/subgroup keeping structure) and except_star.
#include <taskio/exception_group.hpp>  // first: the header is self-contained

#include "../test_support.hpp"

#include <system_error>

using namespace taskio_test;

namespace {

struct error_a : std::runtime_error {
  using std::runtime_error::runtime_error;
};
struct error_b : std::logic_error {
  using std::logic_error::logic_error;
};
/// A user-defined group type.
struct my_group : taskio::exception_group {
  using taskio::exception_group::exception_group;
};

std::exception_ptr a(const char* what) { return std::make_exception_ptr(error_a(what)); }
std::exception_ptr b(const char* what) { return std::make_exception_ptr(error_b(what)); }
std::exception_ptr group(std::string msg, std::vector<std::exception_ptr> members) {
  return std::make_exception_ptr(taskio::exception_group(std::move(msg), std::move(members)));
}
/// The group held by `e` (copied out).
taskio::exception_group as_group(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const taskio::exception_group& g) {
    return g;
  } catch (...) {
  }
  BOOST_FAIL("not an exception_group");
  throw std::logic_error("unreachable");
}
/// The what() of every leaf, depth-first, joined with spaces.
std::string leaf_names(const taskio::exception_group& g) {
  std::string s;
  for (const auto& e : g.leaves()) s += (s.empty() ? "" : " ") + taskio::describe_exception(e);
  return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(exception_group)

BOOST_AUTO_TEST_CASE(holds_its_message_and_members_in_order) {
  auto e1 = a("one"), e2 = b("two"), e3 = std::make_exception_ptr(taskio::cancelled_error("stop"));
  const taskio::exception_group g("errors", {e1, e2, e3});
  BOOST_TEST(g.message() == "errors");
  BOOST_TEST(g.size() == 3u);
  BOOST_REQUIRE(g.exceptions().size() == 3u);
  BOOST_TEST(g.exceptions()[0] == e1);  // the same exception objects
  BOOST_TEST(g.exceptions()[1] == e2);
  BOOST_TEST(g.exceptions()[2] == e3);
  const taskio::exception_group copy = g;  // copies share the contents
  BOOST_TEST(&copy.exceptions() == &g.exceptions());
}

BOOST_AUTO_TEST_CASE(rejects_empty_and_null_members) {
  BOOST_CHECK_THROW(taskio::exception_group("m", {}), std::invalid_argument);
  BOOST_CHECK_THROW(taskio::exception_group("m", {a("x"), nullptr}), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(is_a_std_exception_even_with_cancellation_members) {
  // Python would make this a BaseExceptionGroup; in C++ there is one type.
  try {
    throw taskio::exception_group("m", {std::make_exception_ptr(taskio::cancelled_error()), a("x")});
  } catch (const std::exception& e) {
    BOOST_TEST(dynamic_cast<const taskio::exception_group*>(&e) != nullptr);
  }
}

BOOST_AUTO_TEST_CASE(what_lists_every_member_and_indents_nested_groups) {
  const taskio::exception_group g("unhandled errors in a TaskGroup",
                                    {a("boom"), group("inner", {b("bad")}), std::make_exception_ptr(42)});
  BOOST_TEST(std::string(g.what()) ==
             "unhandled errors in a TaskGroup (3 sub-exceptions)\n"
             "  +-- 1: boom\n"
             "  +-- 2: inner (1 sub-exception)\n"
             "      +-- 1: bad\n"
             "  +-- 3: unknown exception");
}

BOOST_AUTO_TEST_CASE(what_indents_multi_line_members) {
  const taskio::exception_group g("m", {a("line 1\nline 2")});
  BOOST_TEST(std::string(g.what()) ==
             "m (1 sub-exception)\n"
             "  +-- 1: line 1\n"
             "      line 2");
}

BOOST_AUTO_TEST_CASE(what_shows_at_most_15_members_and_10_levels) {
  std::vector<std::exception_ptr> many;
  for (int i = 1; i <= 17; ++i) many.push_back(a(("e" + std::to_string(i)).c_str()));
  const std::string wide = taskio::exception_group("wide", many).what();
  BOOST_TEST(wide.find("  +-- 15: e15\n  +-- ... and 2 more exceptions") != std::string::npos);
  BOOST_TEST(wide.find("e16") == std::string::npos);

  auto deep = a("bottom");
  for (int i = 11; i >= 1; --i) deep = group("level " + std::to_string(i), {deep});
  const std::string text = as_group(deep).what();
  BOOST_TEST(text.find("+-- 1: level 10 (1 sub-exception)") != std::string::npos);
  BOOST_TEST(text.find("+-- 1: ... (max_group_depth is 10)") != std::string::npos);
  BOOST_TEST(text.find("level 11") == std::string::npos);
  BOOST_TEST(text.find("bottom") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(leaves_are_depth_first_in_order) {
  const taskio::exception_group g("m", {a("1"), group("n", {b("2"), group("nn", {a("3")})}), b("4")});
  BOOST_TEST(leaf_names(g) == "1 2 3 4");
}

BOOST_AUTO_TEST_CASE(split_by_type_keeps_structure_messages_and_leaf_identity) {
  auto e1 = a("a1"), e2 = b("b1"), e3 = a("a2"), e4 = b("b2");
  const taskio::exception_group g("outer", {e1, group("inner", {e2, e3}), e4});
  auto [match, rest] = g.split<error_a>();
  BOOST_REQUIRE(match);
  BOOST_REQUIRE(rest);
  BOOST_TEST(match->message() == "outer");
  BOOST_REQUIRE(match->size() == 2u);
  BOOST_TEST(match->exceptions()[0] == e1);
  auto inner_match = as_group(match->exceptions()[1]);
  BOOST_TEST(inner_match.message() == "inner");
  BOOST_REQUIRE(inner_match.size() == 1u);
  BOOST_TEST(inner_match.exceptions()[0] == e3);

  BOOST_TEST(rest->message() == "outer");
  BOOST_REQUIRE(rest->size() == 2u);
  auto inner_rest = as_group(rest->exceptions()[0]);
  BOOST_TEST(inner_rest.message() == "inner");
  BOOST_TEST(inner_rest.exceptions()[0] == e2);
  BOOST_TEST(rest->exceptions()[1] == e4);
}

BOOST_AUTO_TEST_CASE(split_parts_are_empty_when_nothing_belongs_to_them) {
  const taskio::exception_group g("m", {a("1"), a("2")});
  auto [all, none] = g.split<std::runtime_error>();
  BOOST_TEST(all.has_value());
  BOOST_TEST(all->size() == 2u);
  BOOST_TEST(!none.has_value());
  auto [nothing, everything] = g.split<std::system_error>();
  BOOST_TEST(!nothing.has_value());
  BOOST_TEST(everything->size() == 2u);
}

BOOST_AUTO_TEST_CASE(split_std_exception_separates_errors_from_cancellation_and_fatal) {
  auto c = std::make_exception_ptr(taskio::cancelled_error("stop"));
  auto k = std::make_exception_ptr(taskio::keyboard_interrupt());
  auto n = std::make_exception_ptr(7);
  const taskio::exception_group g("m", {a("x"), c, group("inner", {k, b("y")}), n});
  auto [errors, others] = g.split<std::exception>();
  BOOST_TEST(leaf_names(*errors) == "x y");
  BOOST_TEST(leaf_names(*others) == "cancelled: stop keyboard interrupt unknown exception");
  BOOST_TEST(as_group(others->exceptions()[1]).message() == "inner");
}

BOOST_AUTO_TEST_CASE(split_by_group_type_takes_groups_whole) {
  const taskio::exception_group g("m", {a("x")});
  auto [match, rest] = g.split<taskio::exception_group>();
  BOOST_TEST(match->exceptions() == g.exceptions());
  BOOST_TEST(!rest.has_value());

  auto mine = std::make_exception_ptr(my_group("mine", {a("1")}));
  const taskio::exception_group h("m", {b("2"), mine, group("plain", {a("3")})});
  auto [m2, r2] = h.split<my_group>();
  BOOST_REQUIRE(m2->size() == 1u);
  BOOST_TEST(m2->exceptions()[0] == mine);  // the nested group itself
  BOOST_TEST(leaf_names(*r2) == "2 3");
  BOOST_TEST(h.subgroup<my_group>()->exceptions()[0] == mine);
  BOOST_TEST(!h.subgroup<std::system_error>().has_value());
}

BOOST_AUTO_TEST_CASE(split_by_predicate_asks_about_groups_too) {
  auto nested = group("inner", {a("1"), b("2")});
  const taskio::exception_group g("outer", {b("3"), nested});
  std::vector<std::string> asked;
  auto [match, rest] = g.split([&](const std::exception_ptr& e) {
    asked.push_back(taskio::describe_exception(e).substr(0, 5));
    return e == nested;
  });
  BOOST_TEST((asked == std::vector<std::string>{"outer", "3", "inner"}));
  BOOST_REQUIRE(match);
  BOOST_TEST(match->exceptions()[0] == nested);  // taken whole
  BOOST_TEST(leaf_names(*rest) == "3");

  auto whole = g.split([](const std::exception_ptr& e) {
    try {
      std::rethrow_exception(e);
    } catch (const taskio::exception_group& x) {
      return x.message() == "outer";
    } catch (...) {
      return false;
    }
  });
  BOOST_TEST(whole.first->message() == "outer");
  BOOST_TEST(!whole.second.has_value());
}

BOOST_AUTO_TEST_CASE(subgroup_is_the_match_part) {
  const taskio::exception_group g("m", {a("1"), b("2"), group("n", {a("3")})});
  BOOST_TEST(leaf_names(*g.subgroup<error_a>()) == "1 3");
  auto odd = g.subgroup([](const std::exception_ptr& e) {
    const auto text = taskio::describe_exception(e);
    return text == "1" || text == "3";
  });
  BOOST_TEST(leaf_names(*odd) == "1 3");
  BOOST_TEST(!g.subgroup([](const std::exception_ptr&) { return false; }).has_value());
}

BOOST_AUTO_TEST_CASE(derive_keeps_the_message) {
  const taskio::exception_group g("m", {a("1")});
  auto d = g.derive({b("2"), b("3")});
  BOOST_TEST(d.message() == "m");
  BOOST_TEST(d.size() == 2u);
}

// --- except_star ---

BOOST_AUTO_TEST_CASE(except_star_runs_clauses_in_order_one_call_per_leaf) {
  trace tr;
  auto g = group("m", {a("a1"), b("b1"), group("n", {a("a2")})});
  taskio::except_star(
      g, [&](const error_b& e) { tr(std::string("B:") + e.what()); },
      [&](const std::exception& e) { tr(std::string("E:") + e.what()); },
      [&](const error_a& e) { tr(std::string("A:") + e.what()); });
  // every leaf handled by the first clause of its type: nothing rethrown
  BOOST_TEST(tr.str() == "B:b1 E:a1 E:a2");
}

BOOST_AUTO_TEST_CASE(except_star_rethrows_the_unhandled_rest_with_its_structure) {
  auto e2 = b("b1");
  auto g = group("m", {a("a1"), group("n", {e2, a("a2")})});
  int handled = 0;
  try {
    taskio::except_star(g, [&](const error_a&) { ++handled; });
    BOOST_FAIL("the rest must be rethrown");
  } catch (const taskio::exception_group& rest) {
    BOOST_TEST(rest.message() == "m");
    BOOST_REQUIRE(rest.size() == 1u);
    auto inner = as_group(rest.exceptions()[0]);
    BOOST_TEST(inner.message() == "n");
    BOOST_TEST(inner.exceptions()[0] == e2);
  }
  BOOST_TEST(handled == 2);
}

BOOST_AUTO_TEST_CASE(except_star_rethrows_the_original_object_when_nothing_matched) {
  auto g = group("m", {a("1")});
  try {
    taskio::except_star(g, [](const error_b&) {});
    BOOST_FAIL("except_star must rethrow the unmatched group");
  } catch (...) {
    BOOST_TEST(std::current_exception() == g);
  }
}

BOOST_AUTO_TEST_CASE(except_star_collects_what_handlers_throw) {
  auto g = group("m", {a("1"), b("2"), b("3")});
  try {
    taskio::except_star(g, [](const error_a&) { throw std::system_error(std::make_error_code(std::errc::io_error)); });
    BOOST_FAIL("must throw");
  } catch (const taskio::exception_group& out) {
    // Python: ExceptionGroup("", [raised..., unhandled rest])
    BOOST_TEST(out.message() == "");
    BOOST_REQUIRE(out.size() == 2u);
    BOOST_CHECK_THROW(std::rethrow_exception(out.exceptions()[0]), std::system_error);
    auto rest = as_group(out.exceptions()[1]);
    BOOST_TEST(rest.message() == "m");
    BOOST_TEST(leaf_names(rest) == "2 3");
  }
}

BOOST_AUTO_TEST_CASE(except_star_a_rethrown_leaf_stays_in_the_rest) {
  auto e1 = a("1"), e2 = a("2");
  auto g = group("m", {e1, e2});
  try {
    taskio::except_star(g, [](const error_a& e) {
      if (std::string(e.what()) == "2") throw;  // re-raise this one
    });
    BOOST_FAIL("must throw");
  } catch (const taskio::exception_group& rest) {
    BOOST_TEST(rest.message() == "m");
    BOOST_REQUIRE(rest.size() == 1u);
    BOOST_TEST(rest.exceptions()[0] == e2);
  }
}

BOOST_AUTO_TEST_CASE(except_star_on_a_single_exception) {
  auto single = a("1");
  bool ran = false;
  taskio::except_star(single, [&](const std::runtime_error&) { ran = true; });
  BOOST_TEST(ran);
  try {
    taskio::except_star(single, [](const error_b&) {});
    BOOST_FAIL("must throw");
  } catch (...) {
    BOOST_TEST(std::current_exception() == single);  // rethrown as itself, not wrapped
  }
  BOOST_CHECK_THROW(taskio::except_star(single, [](const error_a&) { throw error_b("replaced"); }), error_b);
}

namespace {
int function_calls = 0;
void count_cancellation(const taskio::cancelled_error&) { ++function_calls; }
}  // namespace

BOOST_AUTO_TEST_CASE(except_star_accepts_function_pointers_and_non_std_types) {
  auto g = group("m", {std::make_exception_ptr(taskio::cancelled_error("x")), std::make_exception_ptr(5)});
  auto handler = &count_cancellation;
  int ints = 0;
  taskio::except_star(g, handler, [&](int v) { ints += v; });
  BOOST_TEST(function_calls == 1);
  BOOST_TEST(ints == 5);
}

BOOST_AUTO_TEST_CASE(except_star_rejects_a_null_exception) {
  BOOST_CHECK_THROW(taskio::except_star(nullptr, [](const error_a&) {}), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()
