package dev.bootsecrets.cloud.aws;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.bootsecrets.cloud.MetadataException;

/** Fuzz target: what IMDS answers is parsed from: key listings, key answers, the identity document. */
class ImdsFuzzTest {

    @FuzzTest(maxDuration = "10s")
    void answers(FuzzedDataProvider data) {
        AwsProvider.keyIndexes(data.consumeString(4096));
        AwsProvider.keyLines(data.consumeString(4096));
        try {
            AwsProvider.checkDocument("http://127.0.0.1/latest/dynamic/instance-identity/document",
                    data.consumeRemainingAsBytes(), "i-0123456789abcdef0");
        } catch (MetadataException e) {
            // refused, naming the endpoint
        }
    }
}
