// The parts of sm-crypto (an independent pure-JS SM2/SM3, devDependency) the interop tests use; it ships no types.
declare module 'sm-crypto' {
  export interface SmCryptoSignOptions {
    /** Prepend Z_A (SM2 signature proper); without it the message is treated as the digest e. */
    hash?: boolean;
    /** Distinguishing ID; sm-crypto defaults to '1234567812345678'. */
    userId?: string;
    /** ASN.1 DER instead of raw r||s hex. */
    der?: boolean;
    publicKey?: string;
  }

  export const sm2: {
    generateKeyPairHex(): { privateKey: string; publicKey: string };
    getPublicKeyFromPrivateKey(privateKey: string): string;
    doSignature(msg: string | Uint8Array | number[], privateKey: string, opts?: SmCryptoSignOptions): string;
    doVerifySignature(
      msg: string | Uint8Array | number[],
      signHex: string,
      publicKey: string,
      opts?: Omit<SmCryptoSignOptions, 'publicKey'>,
    ): boolean;
    verifyPublicKey(publicKey: string): boolean;
  };

  /** SM3 digest as lowercase hex. */
  export function sm3(input: string | Uint8Array | number[]): string;
}
