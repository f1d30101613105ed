#include "smtp/reply_meaning.hpp"

#include <gtest/gtest.h>

namespace {

TEST(ReplyMeaning, NamesTheDigitsAndTheEnhancedCode)
{
    EXPECT_EQ(smtp::reply_meaning("421 4.3.2 mock.example Service not available"),
              "4xx transient failure (try again later), about the connection; 4.3.2: "
              "persistent transient failure, mail system status");
    EXPECT_EQ(smtp::reply_meaning("550 5.1.1 <x@y>: no such user"),
              "5xx permanent failure (do not retry as is), about the mail system; 5.1.1: "
              "permanent failure, addressing status");
    EXPECT_EQ(smtp::reply_meaning("250-PIPELINING"), "2xx success, about the mail system");
    EXPECT_EQ(smtp::reply_meaning("354 End data with <CR><LF>.<CR><LF>"),
              "3xx intermediate (send the rest), about the mail system");
    EXPECT_EQ(smtp::reply_meaning("235 2.7.0 Authentication successful"),
              "2xx success, about authentication; 2.7.0: success, security or policy status");
    EXPECT_EQ(smtp::reply_meaning("500"),
              "5xx permanent failure (do not retry as is), about syntax");
}

TEST(ReplyMeaning, LeavesAnEnhancedCodeOfAnotherClassAlone)
{
    // RFC 3463 §2: a 5.x.x code on a 4xx reply is not an enhanced status code of it.
    EXPECT_EQ(smtp::reply_meaning("451 5.3.0 odd"),
              "4xx transient failure (try again later), about the mail system");
}

TEST(ReplyMeaning, IsEmptyForWhatIsNoReplyLine)
{
    for (const char* line : {"", "22", "220x", "EHLO me", "620 nope", "299", "2a0 x", "190 x"}) {
        EXPECT_EQ(smtp::reply_meaning(line), "") << line;
    }
}

} // namespace
