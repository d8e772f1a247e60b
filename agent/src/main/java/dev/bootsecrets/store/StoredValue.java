package dev.bootsecrets.store;

import dev.bootsecrets.secret.Secret;
import java.time.Instant;

/**
 * One value the store keeps: a secret's resolved value (record {@code secret:NAME}) or the
 * join's key or certificate ({@code join:key}, {@code join:cert}).
 *
 * @param fetched when the run that stored it read it from its source
 * @param source  where it came from, as declared ({@code metadata:attributes/db}, {@code join:db})
 */
public record StoredValue(String name, Secret value, Instant fetched, String source) {}
