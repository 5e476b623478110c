// Header self-containment: <taskio/condition.hpp> compiles alone (no PCH), twice.
#include <taskio/condition.hpp>
#include <taskio/condition.hpp>
