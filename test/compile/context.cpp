// Header self-containment: <taskio/context.hpp> compiles alone (no PCH), twice.
#include <taskio/context.hpp>
#include <taskio/context.hpp>
