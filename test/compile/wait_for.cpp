// Header self-containment: <taskio/wait_for.hpp> compiles alone (no PCH), twice.
#include <taskio/wait_for.hpp>
#include <taskio/wait_for.hpp>
