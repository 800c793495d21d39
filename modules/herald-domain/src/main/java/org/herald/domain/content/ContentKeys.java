package org.herald.domain.content;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/**
 * The key table: data keys for message content, kept outside the journal so that destroying one
 * shreds the content it sealed. Implementations never block the caller's thread.
 */
public interface ContentKeys {
  /** Creates {@code count} fresh keys, durably stored (wrapped) before the stage completes. */
  CompletionStage<List<ContentKey>> issue(int count);

  /** The keys that still exist among {@code keyIds}; destroyed or unknown ids are absent. */
  CompletionStage<Map<String, ContentKey>> find(Collection<String> keyIds);

  /** Destroys the keys: what they sealed can never be read again. Idempotent. */
  CompletionStage<Void> destroy(Collection<String> keyIds);
}
