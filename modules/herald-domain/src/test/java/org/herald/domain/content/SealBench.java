package org.herald.domain.content;

/**
 * Benchmark (a main, not a test): the cost of sealing and opening a 100-character message and of
 * wrapping and unwrapping a data key, and of making one. Figures in docs/benchmarks.md.
 */
public class SealBench {
  public static void main(String[] a) {
    ContentKey k = new ContentKey("6f1c2a1e-5b7d-4c1a-9a53-0c9f3e2b7d11", ContentCipher.newKey());
    MasterKey m = MasterKey.generate();
    String text = "x".repeat(100);
    for (int round = 0; round < 3; round++) {
      long t = System.nanoTime(); int n = 200_000;
      for (int i = 0; i < n; i++) { Sealed s = ContentCipher.seal(k, "d-ua-ub", i, text); if (s.box().length == 0) throw new Error(); }
      long seal = System.nanoTime() - t;
      Sealed s = ContentCipher.seal(k, "d-ua-ub", 1, text);
      t = System.nanoTime();
      for (int i = 0; i < n; i++) { if (ContentCipher.open(k, s, "d-ua-ub", 1).length() != 100) throw new Error(); }
      long open = System.nanoTime() - t;
      t = System.nanoTime();
      for (int i = 0; i < n; i++) { m.unwrap("id", m.wrap("id", k.key())); }
      long wrap = System.nanoTime() - t;
      t = System.nanoTime();
      for (int i = 0; i < n; i++) { if (ContentCipher.newKey().length != ContentCipher.KEY_BYTES) throw new Error(); }
      long newKey = System.nanoTime() - t;
      System.out.printf("seal %.2f us, open %.2f us, wrap+unwrap %.2f us, new key %.2f us per op%n",
          seal / 1e3 / n, open / 1e3 / n, wrap / 1e3 / n, newKey / 1e3 / n);
    }
  }
}
