// Header self-containment: <taskio/as_completed.hpp> compiles alone (no PCH), twice.
#include <taskio/as_completed.hpp>
#include <taskio/as_completed.hpp>
